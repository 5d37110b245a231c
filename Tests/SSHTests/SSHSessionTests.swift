import Archives
import Foundation
import SSH
import Testing
import _PITRTestSupport

/// A repository shaped like seed 000's backup host: WAL in `wal/YYYY-MM-DD/`, base backups in
/// `YYYY/MM/DD/`, under a folder whose name needs quoting; plus names and links that must
/// survive the listing.
private struct ServedRepository {
  let root: String
  let big: [UInt8]

  static let bigSize = 6 * 1024 * 1024 + 123

  init(in server: SSHServer) throws {
    root = server.directory.file("it's a $repo")
    var random = SeededRandom(seed: 15)
    var words: [UInt64] = (0..<(Self.bigSize / 8 + 1)).map { _ in random.next() }
    big = words.withUnsafeMutableBytes { Array($0.prefix(Self.bigSize)) }
    let files: [(String, [UInt8])] = [
      ("wal/2025-07-01/000000010000000000000001", Array(repeating: 1, count: 1000)),
      ("wal/2025-07-02/000000010000000000000002", Array(repeating: 2, count: 2000)),
      ("wal/2025-07-02/00000002.history", Array("1\t0/3000000\tbefore accident\n".utf8)),
      ("2025/07/01/base.tar", big),
      ("2025/07/01/backup_manifest", Array("{}".utf8)),
      ("odd/it's a \"name\" with $HOME,\ttab and\nnewline", Array("odd".utf8)),
    ]
    for (path, bytes) in files {
      let full = root + "/" + path
      try FileManager.default.createDirectory(
        atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: full))
    }
    let manager = FileManager.default
    try manager.createSymbolicLink(
      atPath: root + "/odd/linked_manifest", withDestinationPath: "../2025/07/01/backup_manifest")
    try manager.createSymbolicLink(atPath: root + "/odd/loop", withDestinationPath: "..")
    try manager.createSymbolicLink(atPath: root + "/odd/dangling", withDestinationPath: "nowhere")
  }

  func path(_ relative: String) -> String { root + "/" + relative }
}

@Suite(.tags(.remoteRepository), .enabled(if: SSHServer.isAvailable))
struct SSHSessionTests {
  @Test func listsSeed000sDatedLayoutThroughOneConnection() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let repository = try ServedRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }

    let listing = try session.list(under: repository.root)
    #expect(
      listing.files.map(\.path) == [
        "2025/07/01/backup_manifest", "2025/07/01/base.tar",
        "odd/it's a \"name\" with $HOME,\ttab and\nnewline", "odd/linked_manifest",
        "wal/2025-07-01/000000010000000000000001", "wal/2025-07-02/000000010000000000000002",
        "wal/2025-07-02/00000002.history",
      ])
    #expect(listing.problems == [])
    for file in listing.files {
      var info = stat()
      #expect(stat(repository.path(file.path), &info) == 0)
      #expect(file.size == Int64(info.st_size), "\(file.path)")
      #expect(
        file.modified == Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
        "\(file.path)")
    }

    let bytes = try session.read(repository.path("2025/07/01/base.tar"), range: 1_000_000..<1_000_100)
    #expect(bytes == Array(repository.big[1_000_000..<1_000_100]))
    let tail = try session.read(
      repository.path("2025/07/01/base.tar"),
      range: Int64(ServedRepository.bigSize - 10)..<Int64(ServedRepository.bigSize + 90))
    #expect(tail == Array(repository.big.suffix(10)))
    let odd = try session.read(
      repository.path("odd/it's a \"name\" with $HOME,\ttab and\nnewline"), range: 0..<100)
    #expect(odd == Array("odd".utf8))

    let stream = session.open(
      repository.path("2025/07/01/base.tar"), expectedSize: Int64(ServedRepository.bigSize))
    #expect(try readAll(stream) == repository.big)
    #expect(stream.retries == 0)

    #expect(session.isConnected)
    #expect(FileManager.default.fileExists(atPath: session.controlPath))
    #expect(server.acceptedLogins() == 1)
    session.close()
    #expect(!session.isConnected)
    #expect(!FileManager.default.fileExists(atPath: session.controlPath))
  }

  @Test func aStreamResumesWhereTheDroppedConnectionLeftIt() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let repository = try ServedRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }
    let stream = session.open(
      repository.path("2025/07/01/base.tar"), expectedSize: Int64(ServedRepository.bigSize))
    var bytes = try read(stream, count: 1024 * 1024)
    server.dropConnections()
    bytes += try readAll(stream)
    #expect(bytes == repository.big)
    #expect(stream.retries == 1)
    #expect(server.acceptedLogins() == 2)
  }

  @Test func aStreamGivesUpAfterItsRetries() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let repository = try ServedRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options(retries: 2))
    defer { session.close() }
    let path = repository.path("2025/07/01/base.tar")
    let stream = session.open(path, expectedSize: Int64(ServedRepository.bigSize))
    _ = try read(stream, count: 1024 * 1024)
    server.stop()
    let error = #expect(throws: SSHError.self) { try readAll(stream) }
    #expect(error?.kind == .connectionDropped)
    #expect(
      error?.description
        == "the connection to ssh://root@127.0.0.1:\(server.port) dropped while reading \(path) at "
        + "byte \(stream.offset), and 2 retries failed (ssh said: ssh: connect to host 127.0.0.1 "
        + "port \(server.port): Connection refused)")
  }

  @Test func aClosedPortIsUnreachable() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let port = try SSHServer.freePort()
    let session = try SSHSession(
      host: SSHHost(user: "root", host: "127.0.0.1", port: port), options: server.options())
    defer { session.close() }
    let error = #expect(throws: SSHError.self) { try session.list(under: "/") }
    #expect(error?.kind == .unreachable)
    #expect(
      error?.description
        == "cannot reach ssh://root@127.0.0.1:\(port) (ssh said: ssh: connect to host 127.0.0.1 "
        + "port \(port): Connection refused); check the host name and port, and that sshd runs "
        + "there")
  }

  @Test func anUnknownHostKeyIsRefusedWithTheFix() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let config = try server.clientConfig(knownHosts: "empty_known_hosts")
    let session = try SSHSession(host: server.host, options: server.options(configFile: config))
    defer { session.close() }
    let error = #expect(throws: SSHError.self) { try session.connect() }
    #expect(error?.kind == .hostKeyUnknown)
    #expect(
      error?.description
        == "the host key of ssh://root@127.0.0.1:\(server.port) is not in known_hosts (ssh said: "
        + "No ED25519 host key is known for [127.0.0.1]:\(server.port) and you have requested "
        + "strict checking. Host key verification failed.); pitr runs ssh with BatchMode=yes and "
        + "never accepts a key itself: log in once with `ssh -p \(server.port) root@127.0.0.1`, "
        + "check the fingerprint and accept it")
  }

  @Test func aChangedHostKeyIsRefusedWithTheFix() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let config = try server.clientConfig(knownHosts: "wrong_known_hosts")
    let session = try SSHSession(host: server.host, options: server.options(configFile: config))
    defer { session.close() }
    let error = #expect(throws: SSHError.self) { try session.connect() }
    #expect(error?.kind == .hostKeyChanged)
    #expect(
      error?.description.hasPrefix(
        "the host key of ssh://root@127.0.0.1:\(server.port) does not match the one in known_hosts (ssh said: @@@")
        == true)
    #expect(
      error?.description.hasSuffix(
        "Host key verification failed.); if the host was really reinstalled, check its new key's "
          + "fingerprint and remove the old one with `ssh-keygen -R '[127.0.0.1]:\(server.port)'`")
        == true)
  }

  @Test func aKeyTheHostDoesNotAuthorizeIsRefused() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let config = try server.clientConfig(identity: "other_key")
    let session = try SSHSession(host: server.host, options: server.options(configFile: config))
    defer { session.close() }
    let error = #expect(throws: SSHError.self) { try session.list(under: "/") }
    #expect(error?.kind == .permissionDenied)
    #expect(
      error?.description
        == "ssh://root@127.0.0.1:\(server.port) refused the login (ssh said: root@127.0.0.1: "
        + "Permission denied (publickey).); pitr runs ssh with BatchMode=yes, so it needs a key "
        + "that logs in without a prompt (from ssh-agent, or an IdentityFile without passphrase "
        + "in ~/.ssh/config) listed in the remote user's authorized_keys")
  }

  @Test func missingPathsAndWrongKindsAreNamed() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let repository = try ServedRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }
    let url = "ssh://root@127.0.0.1:\(server.port)"
    let missing = repository.path("wal/2025-07-03")

    let listing = #expect(throws: SSHError.self) { try session.list(under: missing) }
    #expect(listing?.kind == .pathMissing)
    #expect(listing?.description == "\(url)\(missing) does not exist")
    let reading = #expect(throws: SSHError.self) { try session.read(missing, range: 0..<1) }
    #expect(reading?.description == "\(url)\(missing) does not exist")
    let streaming = #expect(throws: SSHError.self) { try readAll(session.open(missing)) }
    #expect(streaming?.description == "\(url)\(missing) does not exist")

    let file = repository.path("2025/07/01/backup_manifest")
    let notFolder = #expect(throws: SSHError.self) { try session.list(under: file) }
    #expect(notFolder?.kind == .wrongKind)
    #expect(notFolder?.description == "\(url)\(file) is not a folder")
    let folder = repository.path("wal")
    let notFile = #expect(throws: SSHError.self) { try session.read(folder, range: 0..<1) }
    #expect(notFile?.description == "\(url)\(folder) is not a regular file")
  }

  @Test func aFileThatVanishesShrinksOrGrowsAfterTheListingIsAnError() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let repository = try ServedRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }
    let url = "ssh://root@127.0.0.1:\(server.port)"
    let size = Int64(ServedRepository.bigSize)
    let path = repository.path("2025/07/01/base.tar")

    let shrinking = session.open(path, expectedSize: size)
    _ = try read(shrinking, count: 1024 * 1024)
    #expect(truncate(path, 2 * 1024 * 1024) == 0)
    let shrank = #expect(throws: SSHError.self) { try readAll(shrinking) }
    #expect(shrank?.kind == .fileChanged)
    #expect(
      shrank?.description
        == "\(url)\(path) changed while it was read: it shrank: \(size) bytes listed, "
        + "\(shrinking.offset) read")

    let grew = #expect(throws: SSHError.self) { try readAll(session.open(path, expectedSize: 1000)) }
    #expect(grew?.description == "\(url)\(path) changed while it was read: it grew past the 1000 bytes listed")

    try FileManager.default.removeItem(atPath: path)
    let vanished = #expect(throws: SSHError.self) { try readAll(session.open(path, expectedSize: size)) }
    #expect(vanished?.description == "\(url)\(path) changed while it was read: it vanished after it was listed")
  }
}

/// `count` bytes of `stream` (fewer at its end).
private func read(_ stream: RemoteFileStream, count: Int) throws -> [UInt8] {
  var bytes = [UInt8](repeating: 0, count: count)
  var filled = 0
  while filled < count {
    let got = try bytes.withUnsafeMutableBytes {
      try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
    }
    if got == 0 { break }
    filled += got
  }
  return Array(bytes[0..<filled])
}

/// The rest of `stream`.
private func readAll(_ stream: RemoteFileStream) throws -> [UInt8] {
  var bytes: [UInt8] = []
  while true {
    let chunk = try read(stream, count: 256 * 1024)
    if chunk.isEmpty { return bytes }
    bytes += chunk
  }
}
