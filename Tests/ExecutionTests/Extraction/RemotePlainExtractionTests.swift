import Execution
import Foundation
import SSH
import Storage
import Testing
import _PITRTestSupport

extension ExtractionTests {
  /// A plain backup on a host reached over SSH, extracted from one tar stream of its folder,
  /// with its tablespace's folder streamed after it.
  @Suite(.tags(.remoteRepository), .serialized, .enabled(if: SSHServer.isAvailable))
  struct RemotePlainExtractionTests {
    static let relation = BackupFixture.Member(
      path: "PG_15_202209061/5/16385", data: Array(repeating: 0x42, count: 20000))

    @Test func aRemotePlainBackupAndItsTablespaceComeAsTarStreams() throws {
      let server = try SSHServer()
      defer { server.remove() }
      let directory = try TemporaryDirectory("extract-ssh")
      defer { directory.remove() }
      var fixture = BackupFixture.standard()
      let original = server.directory.file("original-ts")
      fixture.tablespaces[16384] = .init(originalLocation: original, members: [Self.relation])
      let backup = try fixture.write(.plain, into: server.directory.file("backup"))
      let session = try SSHSession(host: server.host, options: server.options())
      let store = SSHStore(session: session)
      defer { store.close() }
      let installation = SharedStores.install([store.prefix: store])
      defer { installation.remove() }
      let data = directory.file("data")
      let location = directory.file("new-ts")

      let report = try BackupExtractor(
        backupFolder: store.prefix + backup, format: .plain, dataDirectory: data,
        tablespaces: [16384: location], syncToDisk: false
      ).extract { _ in }

      for member in fixture.baseMembers where member.path != "tablespace_map" {
        #expect(FileInspection.contents("\(data)/\(member.path)") == member.data, "\(member.path)")
        #expect(FileInspection.mode("\(data)/\(member.path)") == 0o600, "\(member.path)")
      }
      #expect(FileInspection.mode(data) == 0o700)
      #expect(!FileInspection.exists("\(data)/backup_manifest"))
      #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(data)/pg_tblspc/16384") == location)
      #expect(FileInspection.contents("\(location)/\(Self.relation.path)") == Self.relation.data)
      #expect(report.walSegments == [fixture.walSegments[0].path])
      #expect(server.acceptedLogins() == 1)
    }
  }
}
