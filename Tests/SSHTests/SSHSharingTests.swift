import Archives
import Foundation
import SSH
import Testing
import _PITRTestSupport

/// A folder streamed as one tar, a listing for one name, and a connection shared through a
/// given control socket (the restore's `pitr wal-fetch` calls).
@Suite(.tags(.remoteRepository), .enabled(if: SSHServer.isAvailable))
struct SSHSharingTests {
  /// `root/wal/2025-07-0N/…` with two segments and a history file, `root/2025/07/01/` with a
  /// 3 MiB file, an empty folder and a link.
  static func makeRepository(in server: SSHServer) throws -> (root: String, big: [UInt8]) {
    let root = server.directory.file("it's a repo")
    let big = (0..<(3 * 1024 * 1024 + 7)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
    let files: [(String, [UInt8])] = [
      ("wal/2025-07-01/000000010000000000000001", Array(repeating: 1, count: 1000)),
      ("wal/2025-07-02/000000010000000000000002.gz", Array(repeating: 2, count: 2000)),
      ("wal/2025-07-02/00000002.history", Array("1\t0/3000000\tbefore accident\n".utf8)),
      ("2025/07/01/base/1/1259", big),
      ("2025/07/01/PG_VERSION", Array("15\n".utf8)),
    ]
    for (path, bytes) in files {
      let full = root + "/" + path
      try FileManager.default.createDirectory(
        atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try Data(bytes).write(to: URL(fileURLWithPath: full))
    }
    try FileManager.default.createDirectory(atPath: root + "/2025/07/01/pg_notify", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: root + "/2025/07/01/pg_tblspc", withDestinationPath: "/srv/ts")
    return (root, big)
  }

  @Test func aFolderStreamsAsOneTarThroughTheSharedConnection() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let (root, big) = try Self.makeRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }

    var reader = TarReader(session.openArchive(of: root + "/2025/07/01"))
    var entries: [String: TarEntry] = [:]
    var content: [UInt8] = []
    while let entry = try reader.next() {
      entries[ArchivePath(entry.path).components.joined(separator: "/")] = entry
      if entry.path.hasSuffix("1259") { content = try reader.readAll(limit: Int.max) }
    }
    #expect(entries.keys.sorted() == ["", "PG_VERSION", "base", "base/1", "base/1/1259", "pg_notify", "pg_tblspc"])
    #expect(entries["pg_notify"]?.kind == .directory)
    #expect(entries["pg_tblspc"]?.kind == .symbolicLink)
    #expect(entries["pg_tblspc"]?.linkTarget == "/srv/ts")
    #expect(content == big)
    #expect(server.acceptedLogins() == 1)
  }

  @Test func aTarStreamThatDropsFailsWithoutResuming() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let (root, _) = try Self.makeRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }
    let folder = root + "/2025/07/01"
    let stream = session.openArchive(of: folder)
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } > 0)
    server.dropConnections()
    let error = #expect(throws: SSHError.self) {
      while try buffer.withUnsafeMutableBytes({ try stream.read(into: $0) }) > 0 {}
    }
    #expect(error?.kind == .connectionDropped)
    #expect(
      error?.description.hasPrefix(
        "the connection to ssh://root@127.0.0.1:\(server.port) dropped while streaming the folder "
          + "\(folder) as a tar at byte \(stream.offset); a tar stream cannot resume, so nothing of it "
          + "is kept: run the command again (ssh said: ") == true, "\(error?.description ?? "")")
    #expect(stream.retries == 0)
  }

  @Test func aMissingFolderIsNamedWhenStreamed() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }
    let stream = session.openArchive(of: "/nowhere/at all")
    var buffer = [UInt8](repeating: 0, count: 1024)
    let error = #expect(throws: SSHError.self) { try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } }
    #expect(error?.description == "ssh://root@127.0.0.1:\(server.port)/nowhere/at all does not exist")
  }

  @Test func aListingForOneNameFindsItPlainOrCompressedAtAnyDepth() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let (root, _) = try Self.makeRepository(in: server)
    let session = try SSHSession(host: server.host, options: server.options())
    defer { session.close() }

    #expect(
      try session.list(under: root + "/wal", named: "000000010000000000000002").files.map(\.path)
        == ["2025-07-02/000000010000000000000002.gz"])
    #expect(
      try session.list(under: root + "/wal", named: "000000010000000000000001").files.map(\.path)
        == ["2025-07-01/000000010000000000000001"])
    #expect(try session.list(under: root + "/wal", named: "000000010000000000000009").files == [])
    #expect(throws: SSHError.self) { try session.list(under: root + "/gone", named: "x") }
  }

  @Test func sessionsSharingAControlPathUseOneConnectionUntilItIsEnded() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let (root, _) = try Self.makeRepository(in: server)
    let folder = server.directory.file("restore-ssh")
    let socket = try #require(SharedControlPath.path(for: server.host, in: folder, create: true))
    #expect(socket.hasPrefix(folder + "/"))
    var info = stat()
    #expect(stat(folder, &info) == 0 && info.st_mode & 0o777 == 0o700)

    for _ in 0..<3 {
      // Each as a separate `pitr wal-fetch` call would: its own session, closed at its end.
      let session = try SSHSession(host: server.host, options: server.options(), sharedControlPath: socket)
      _ = try session.list(under: root + "/wal", named: "000000010000000000000001")
      session.close()
    }
    #expect(server.acceptedLogins() == 1)
    let last = try SSHSession(host: server.host, options: server.options(), sharedControlPath: socket)
    #expect(last.isConnected)
    SSHSession.endSharedConnection(host: server.host, options: server.options(), controlPath: socket)
    #expect(!last.isConnected)
    // A call after the end starts a new shared connection (ControlMaster=auto).
    _ = try last.list(under: root + "/wal")
    #expect(server.acceptedLogins() == 2)
    SSHSession.endSharedConnection(host: server.host, options: server.options(), controlPath: socket)
  }

  @Test func aRestoreFolderTooLongForASocketFallsBackToARecordedTmpFolder() throws {
    let server = try SSHServer()
    defer { server.remove() }
    let folder = server.directory.file(String(repeating: "long-folder-name/", count: 5) + "ssh")
    try FileManager.default.createDirectory(
      atPath: (folder as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    #expect(SharedControlPath.path(for: server.host, in: folder, create: false) == nil)
    let socket = try #require(SharedControlPath.path(for: server.host, in: folder, create: true))
    #expect(socket.hasPrefix("/tmp/pitr-ssh-"))
    #expect(socket.utf8.count < 88)
    #expect(SharedControlPath.path(for: server.host, in: folder, create: false) == socket)
    #expect(SharedControlPath.path(for: server.host, in: folder, create: true) == socket)
    let session = try SSHSession(host: server.host, options: server.options(), sharedControlPath: socket)
    try session.connect()
    #expect(session.isConnected)
    SSHSession.endSharedConnection(host: server.host, options: server.options(), controlPath: socket)
    SharedControlPath.removeFallback(for: server.host, in: folder)
    #expect(!FileManager.default.fileExists(atPath: (socket as NSString).deletingLastPathComponent))
    #expect(SharedControlPath.path(for: server.host, in: folder, create: false) == nil)
  }
}
