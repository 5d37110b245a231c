import Compiler
import PlanModel
import Testing
import _PITRTestSupport

/// Compiler messages about the destination, time zones and backups: each one's exact text and
/// the plan key it is located at.
@Suite struct DestinationAndTimeMessageTests {
  private let destination = "  data_directory: 1️⃣/srv/data\n  port: 5599\n  os_user: postgres"

  // MARK: - A time without a zone (TimeResolution)

  @Test func aTimeWithoutAZoneNeedsTheBackupsTimezone() throws {
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1", timezone: nil)], events: [.commit(700), .commit(701)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 10:01:30\"")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(
      compilation.errors.map(\.message) == [
        "'2025-12-24 10:01:30' has no zone and the backup's configuration does not set "
          + "timezone; add the zone to the time (-07, UTC or America/Phoenix)"
      ])
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
  }

  @Test func aTimeWithoutAZoneNeedsABackupTimezonePitrKnows() throws {
    let repository = try SyntheticRepository(
      backups: [.init(id: "b1", timezone: "Mars/Olympus")], events: [.commit(700), .commit(701)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  1️⃣time: \"2025-12-24 10:01:30\"")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(
      compilation.errors.map(\.message) == [
        "'2025-12-24 10:01:30' has no zone and the backup's timezone 'Mars/Olympus' is not a "
          + "zone pitr knows; add the zone to the time"
      ])
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
  }

  // MARK: - Backup selection

  @Test func anEmptyBaseFolderHasNoBackup() throws {
    let repository = try SyntheticRepository(backups: [], events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  latest: true")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(
      compilation.errors.map(\.message) == [
        "no base backup in \(repository.base); pitr catalog lists what it found there"
      ])
    #expect(compilation.errors.map(\.location) == [marked.at("8️⃣")])
  }

  // MARK: - Destination

  @Test func aFileIsNotADataDirectory() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  latest: true", destination: destination)
    var environment = FixedEnvironment()
    environment.directories["/srv/data"] = .file
    let compilation = try #require(marked.compiled(repository, environment: environment))
    #expect(compilation.compiled == nil)
    #expect(
      compilation.errors.map(\.message) == [
        "'/srv/data' is a file, not a directory; choose a new data directory"
      ])
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
  }

  @Test func aStoppedDataDirectoryIsRefused() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(repository, target: "  latest: true", destination: destination)
    var environment = FixedEnvironment()
    environment.directories["/srv/data"] = .notEmpty(entries: 24, isDataDirectory: true, running: false)
    let compilation = try #require(marked.compiled(repository, environment: environment))
    #expect(compilation.compiled == nil)
    #expect(
      compilation.errors.map(\.message) == [
        "'/srv/data' already holds a PostgreSQL data directory; pitr restores only into an "
          + "absent or empty directory, so choose another path (or move the old one away yourself)"
      ])
    #expect(compilation.errors.map(\.location) == [marked.at("1️⃣")])
  }

  @Test func aTablespaceOIDOfABackupWithoutTablespaces() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(
      repository, target: "  latest: true",
      destination: "  data_directory: /srv/data\n  port: 5599\n  os_user: postgres\n"
        + "  tablespaces:\n    2️⃣\"16391\": /srv/ts")
    let compilation = try #require(marked.compiled(repository))
    #expect(compilation.compiled == nil)
    #expect(compilation.errors.map(\.message) == ["backup b1 has no tablespace with OID 16391 (it has none)"])
    #expect(compilation.errors.map(\.location) == [marked.at("2️⃣")])
  }

  @Test(arguments: [
    (DirectoryState.notEmpty(entries: 2, isDataDirectory: false, running: false), "is not empty"),
    (.file, "is a file, not a directory"),
    (.notEmpty(entries: 20, isDataDirectory: true, running: true), "is the data directory of a running server"),
  ])
  func aTablespaceGoesOnlyIntoAnAbsentOrEmptyDirectory(state: DirectoryState, what: String) throws {
    var backup = RepositoryFixture.Backup(id: "b1")
    backup.tablespaces = [(16390, "/srv/production/ts")]
    let repository = try SyntheticRepository(backups: [backup], events: [.commit(700)])
    defer { repository.remove() }
    let marked = markedPlan(
      repository, target: "  latest: true",
      destination: "  data_directory: /srv/data\n  port: 5599\n  os_user: postgres\n"
        + "  tablespaces:\n    \"16390\": 3️⃣/srv/ts")
    var environment = FixedEnvironment()
    environment.directories["/srv/ts"] = state
    let compilation = try #require(marked.compiled(repository, environment: environment))
    #expect(compilation.compiled == nil)
    #expect(
      compilation.errors.map(\.message) == [
        "'/srv/ts' \(what); a tablespace is restored only into an absent or empty directory"
      ])
    #expect(compilation.errors.map(\.location) == [marked.at("3️⃣")])
  }
}
