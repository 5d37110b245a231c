import Foundation
import Testing
import _PITRTestSupport

@testable import SSH

@Suite struct RemoteShellTests {
  @Test func quotesEveryCharacterTheShellWouldRead() {
    #expect(RemoteShell.quote("plain") == "'plain'")
    #expect(RemoteShell.quote("it's $HOME") == #"'it'\''s $HOME'"#)
    #expect(RemoteShell.quote("") == "''")
  }

  @Test func pathsStartingWithADashAreNotOptions() {
    #expect(RemoteShell.safePath("-rf") == "./-rf")
    #expect(RemoteShell.listingRoot("/srv/backups") == "/srv/backups/")
    #expect(RemoteShell.listingRoot("/") == "/")
  }

  @Test func readsFindTimesAsNanoseconds() {
    #expect(RemoteShell.nanoseconds("1751328000.1234567890") == 1_751_328_000_123_456_789)
    #expect(RemoteShell.nanoseconds("1751328000.5") == 1_751_328_000_500_000_000)
    #expect(RemoteShell.nanoseconds("1751328000") == 1_751_328_000_000_000_000)
    #expect(RemoteShell.nanoseconds("x.1") == nil)
  }

  @Test func parsesNulSeparatedRecordsWhateverTheNames() {
    let output = Array("3 1.5 /r/a b\n\tc\u{0}12 2.000000001 /r/wal/2025-07-01/x y\u{0}".utf8)
    let files = RemoteShell.parseListing(output, root: "/r/")
    #expect(
      files == [
        RemoteFile(path: "a b\n\tc", size: 3, modified: 1_500_000_000),
        RemoteFile(path: "wal/2025-07-01/x y", size: 12, modified: 2_000_000_001),
      ])
  }

  @Test func namesTheHostAsAURL() {
    #expect(SSHHost(host: "backup").description == "ssh://backup")
    #expect(SSHHost(user: "pg", host: "::1", port: 2222).description == "ssh://pg@[::1]:2222")
    #expect(SSHHost(host: "b").url(of: "srv/x") == "ssh://b/srv/x")
  }

  @Test func quotesSshOnOneLineWhateverItsLineEnds() {
    #expect(
      SSHError.quoted("No key known.\r\nHost key verification failed.\r\n")
        == "No key known. Host key verification failed.")
    #expect(SSHError.quoted("a\n\n  b  \n") == "a b")
    #expect(SSHError.quoted("") == "nothing")
  }

  @Test func classifiesSshsOwnFailures() {
    let host = SSHHost(user: "pg", host: "backup", port: 2222)
    #expect(
      SSHError.connection(host, standardError: "ssh: Could not resolve hostname backup: Name or service not known\r\n")
        .kind
        == .unreachable)
    #expect(
      SSHError.connection(host, standardError: "kex_exchange_identification: read: Connection reset by peer\n")
        .description
        == "ssh to ssh://pg@backup:2222 failed (ssh said: kex_exchange_identification: read: Connection reset by peer)")
  }

  /// The batched whole-file read, run by /bin/sh here as the host would: each file whole,
  /// then the trailer; a file whose size is not the one given stops the command (status 1)
  /// before any of its bytes.
  @Test func theWholeFileScriptFollowsEachFileWithTheTrailer() throws {
    let directory = try TemporaryDirectory("read-whole-script")
    defer { directory.remove() }
    let first = Array("first file\n".utf8)
    let second = Array((0..<3000).map { UInt8($0 % 251) })
    try Data(first).write(to: URL(fileURLWithPath: directory.file("a b")))
    try Data(second).write(to: URL(fileURLWithPath: directory.file("c")))
    let trailer = SSHSession.batchTrailer()
    #expect(trailer.count == 28 && trailer.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })

    func run(_ files: [(path: String, size: Int64)]) throws -> (output: [UInt8], status: Int32) {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/bin/sh")
      process.arguments = ["-c", RemoteShell.readWholeScript(files, trailer: trailer)]
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let output = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      return (Array(output), process.terminationStatus)
    }

    let whole = try run([(directory.file("a b"), Int64(first.count)), (directory.file("c"), Int64(second.count))])
    #expect(whole.status == 0)
    #expect(whole.output == first + Array(trailer.utf8) + second + Array(trailer.utf8))

    let wrongSize = try run([(directory.file("a b"), Int64(first.count)), (directory.file("c"), 10)])
    #expect(wrongSize.status == 1)
    #expect(wrongSize.output == first + Array(trailer.utf8))
  }
}
