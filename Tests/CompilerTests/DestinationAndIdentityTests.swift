import Compiler
import PlanModel
import Testing
import _PITRTestSupport

/// The destination, the machine and the cluster's identity, each located at its plan key.
@Suite struct DestinationAndIdentityTests {
  private func plan(_ repository: SyntheticRepository, destination: String, source: String = "") -> MarkedText {
    MarkedText(
      """
      version: 1
      \(source)backups:
        base: \(repository.base)
        wal: \(repository.wal)
      target:
        latest: true
      destination:
      \(destination)
      action: promote

      """)
  }

  private func errors(
    _ marked: MarkedText, _ repository: SyntheticRepository, _ environment: FixedEnvironment
  ) -> [(String, PlanModel.SourceLocation?)] {
    (compile(marked.text, base: repository.base, wal: [repository.wal], environment: environment)?
      .diagnostics ?? [])
      .filter { $0.severity == .error }.map { ($0.message, $0.location) }
  }

  private func at(_ marked: MarkedText, _ marker: String) -> PlanModel.SourceLocation? {
    marked.location(marker, file: "plans/test.yaml")
  }

  @Test func destinationMustBeEmptyAndUnused() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(
      repository, destination: "  data_directory: 1️⃣/srv/data\n  port: 2️⃣5432\n  os_user: postgres")
    var environment = FixedEnvironment()
    environment.directories["/srv/data"] = .notEmpty(entries: 24, isDataDirectory: true, running: true)
    environment.portsInUse = [5432]
    let found = errors(marked, repository, environment)
    #expect(
      found.map(\.0) == [
        "'/srv/data' is the data directory of a running server; pitr restores only into an absent "
          + "or empty directory, so choose another path (or move the old one away yourself)",
        "port 5432 is in use on this machine; choose a free port for the restored server",
      ])
    #expect(found.map(\.1) == [at(marked, "1️⃣"), at(marked, "2️⃣")])
    environment.directories["/srv/data"] = .notEmpty(entries: 3, isDataDirectory: false, running: false)
    environment.portsInUse = []
    #expect(
      errors(marked, repository, environment).map(\.0) == [
        "'/srv/data' is not empty (3 entries); pitr restores only into an absent or empty "
          + "directory, so choose another path (or move the old one away yourself)"
      ])
    environment.directories["/srv/data"] = .notEmpty(entries: 1, isDataDirectory: false, running: false)
    #expect(
      errors(marked, repository, environment).map(\.0) == [
        "'/srv/data' is not empty (1 entry); pitr restores only into an absent or empty "
          + "directory, so choose another path (or move the old one away yourself)"
      ])
  }

  @Test func aRestoreOfThisPlanResumesAndOfAnotherIsRefused() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, destination: "  data_directory: 1️⃣/srv/data\n  port: 5599\n  os_user: postgres")
    var environment = FixedEnvironment()
    let fresh = try #require(
      compile(marked.text, base: repository.base, wal: [repository.wal], environment: environment)?.compiled)

    // Its own journal: resumed, though the directory is full and its server holds the port.
    environment.directories["/srv/data"] = .restoring(
      planHash: fresh.planHash, catalogFingerprint: fresh.catalogFingerprint, running: true)
    environment.portsInUse = [5599]
    let resumed = try #require(
      compile(marked.text, base: repository.base, wal: [repository.wal], environment: environment))
    #expect(resumed.compiled != nil)
    #expect(
      resumed.diagnostics.map(\.message) == [
        "'/srv/data' holds a restore of this plan (its journal is in /srv/data.pitr); pitr apply "
          + "resumes it, skipping the steps already done"
      ])
    #expect(resumed.diagnostics.first?.severity == .note)

    // This plan's journal, made from other files: apply would refuse it, so validate does.
    environment.directories["/srv/data"] = .restoring(
      planHash: fresh.planHash, catalogFingerprint: "other files", running: false)
    environment.portsInUse = []
    let changed = errors(marked, repository, environment)
    #expect(
      changed.map(\.0) == [
        "'/srv/data' holds a restore of this plan made from other files (the backup or the WAL it "
          + "needs changed since; its journal is in /srv/data.pitr), which pitr apply cannot resume; "
          + "remove /srv/data and /srv/data.pitr to start again, or choose another path"
      ])
    #expect(changed.map(\.1) == [at(marked, "1️⃣")])

    environment.directories["/srv/data"] = .restoring(planHash: "another", running: false)
    let found = errors(marked, repository, environment)
    #expect(
      found.map(\.0) == [
        "'/srv/data' holds a restore of another plan, or of an earlier version of this one (its "
          + "journal is in /srv/data.pitr); remove /srv/data and /srv/data.pitr to start again, or "
          + "choose another path"
      ])
    #expect(found.map(\.1) == [at(marked, "1️⃣")])
  }

  @Test func theHandedOverServersSocketFoldersMustExist() throws {
    var backup = RepositoryFixture.Backup(id: "b1")
    backup.extraFiles = [
      ("postgresql.conf", Array("unix_socket_directories = '/var/run/postgresql, @abstract, /tmp'\n".utf8))
    ]
    let repository = try SyntheticRepository(backups: [backup], events: [.commit(700)])
    defer { repository.remove() }
    func marked(action: String, settings: String = "") -> MarkedText {
      MarkedText(
        """
        version: 1
        backups:
          base: \(repository.base)
          wal: \(repository.wal)
        target:
          xid: 700
        destination:
          data_directory: /srv/data
          port: 5599
          os_user: postgres
        \(settings)action: 1️⃣\(action)

        """)
    }
    var environment = FixedEnvironment()
    environment.directories["/tmp"] = .empty
    let promoting = marked(action: "promote")
    let found = errors(promoting, repository, environment)
    #expect(
      found.map(\.0) == [
        "after promotion pitr restarts the server with the backup's unix_socket_directories, and "
          + "'/var/run/postgresql' is not a folder on this machine, so it would not start; create it "
          + "(owned by postgres), or set destination.settings.unix_socket_directories to a folder that exists"
      ])
    #expect(found.map(\.1) == [at(promoting, "1️⃣")])
    // Paused or shut down, the server keeps pitr's private socket: no finish, no restart.
    #expect(errors(marked(action: "pause"), repository, environment).isEmpty)
    // The plan's own folder is checked instead, at its value.
    let chosen = marked(
      action: "promote", settings: "  settings:\n    unix_socket_directories: 2️⃣/run/pg-sockets\n")
    let chosenFound = errors(chosen, repository, environment)
    #expect(
      chosenFound.map(\.0) == [
        "'/run/pg-sockets' is not a folder on this machine: the promoted server makes its socket there "
          + "once pitr hands it over, and would not start; create it, or choose another folder"
      ])
    #expect(chosenFound.map(\.1) == [at(chosen, "2️⃣")])
    environment.directories["/run/pg-sockets"] = .empty
    #expect(errors(chosen, repository, environment).isEmpty)
    // While it recovers the server keeps pitr's private socket: the plan's folder is for after.
    let compilation = try #require(
      compile(chosen.text, base: repository.base, wal: [repository.wal], environment: environment))
    let compiled = try #require(compilation.compiled)
    #expect(compiled.configuration.value(of: "unix_socket_directories") == "/srv/data.pitr")
    #expect(
      compilation.diagnostics.filter { $0.severity == .note }.map(\.message).contains(
        "unix_socket_directories applies once the server is handed over after promotion; while it "
          + "recovers pitr keeps its own (its private socket, pg_hba.conf and log)"))
    let finished = compiled.graph.steps.compactMap { step -> String? in
      guard case .finish(let finish) = step.action else { return nil }
      return finish.files.first?.content
    }
    #expect(finished.count == 1)
    #expect(finished.first?.contains("unix_socket_directories = '/run/pg-sockets'") == true)
  }

  @Test func spaceBinariesAndUsers() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(
      repository,
      destination:
        "  data_directory: 1️⃣/srv/data\n  port: 5599\n  bin_dir: 2️⃣/usr/lib/postgresql/17/bin\n  os_user: 3️⃣pgadmin")
    var environment = FixedEnvironment()
    environment.free = 1000
    environment.binaries = ServerBinaries(directory: "/usr/lib/postgresql/17/bin", majorVersion: 17, problem: nil)
    let found = errors(marked, repository, environment)
    #expect(found.map(\.1) == [at(marked, "1️⃣"), at(marked, "2️⃣"), at(marked, "3️⃣")])
    #expect(found[0].0.hasPrefix("the backup needs 13."))
    #expect(found[0].0.hasSuffix("once extracted, but only 1000 bytes is free where '/srv/data' would be"))
    #expect(
      found[1].0
        == "the server binaries in /usr/lib/postgresql/17/bin are PostgreSQL 17, but backup b1 is "
        + "PostgreSQL 15; set destination.bin_dir to the 15 binaries (such as "
        + "/usr/lib/postgresql/15/bin)")
    #expect(found[2].0 == "there is no operating-system user 'pgadmin' on this machine")
  }

  @Test func serverBinariesNotFound() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    var environment = FixedEnvironment()
    environment.binaries = ServerBinaries(
      directory: nil, majorVersion: nil,
      problem: "no pg_ctl for PostgreSQL 15 on PATH or in /usr/lib/postgresql/15/bin")
    // Without bin_dir: at data_directory, saying to set it.
    let found = plan(repository, destination: "  data_directory: 1️⃣/srv/data\n  port: 5599\n  os_user: postgres")
    #expect(errors(found, repository, environment).map(\.1) == [at(found, "1️⃣")])
    #expect(
      errors(found, repository, environment).map(\.0) == [
        "no pg_ctl for PostgreSQL 15 on PATH or in /usr/lib/postgresql/15/bin; set destination.bin_dir"
      ])
    // With bin_dir: at bin_dir.
    environment.binaries.problem = "no pg_ctl in /opt/pg/bin"
    let given = plan(
      repository, destination: "  data_directory: /srv/data\n  port: 5599\n  bin_dir: 2️⃣/opt/pg/bin\n  os_user: postgres"
    )
    #expect(errors(given, repository, environment).map(\.1) == [at(given, "2️⃣")])
    #expect(errors(given, repository, environment).map(\.0) == ["no pg_ctl in /opt/pg/bin"])
  }

  @Test func rootNeedsAnOSUser() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(repository, destination: "  data_directory: 1️⃣/srv/data\n  port: 5599")
    var environment = FixedEnvironment()
    environment.isRoot = true
    let found = errors(marked, repository, environment)
    #expect(found.map(\.1) == [at(marked, "1️⃣")])
    #expect(
      found.map(\.0) == [
        "pitr runs as root and PostgreSQL refuses to: set destination.os_user to the user the "
          + "server runs as (usually postgres)"
      ])
  }

  @Test func sourceIdentityAndVersion() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(
      repository, destination: "  data_directory: /srv/data\n  port: 5599\n  os_user: postgres",
      source: "source:\n  system_identifier: 1️⃣\"42\"\n  pg_version: 2️⃣16\n")
    let found = errors(marked, repository, FixedEnvironment())
    #expect(found.map(\.1) == [at(marked, "1️⃣"), at(marked, "2️⃣")])
    #expect(
      found.map(\.0) == [
        "the WAL archive comes from the cluster \(RepositoryFixture.systemIdentifier), not 42: "
          + "wrong archive, or wrong system_identifier",
        "the plan says the source is PostgreSQL 16, but backup b1 is PostgreSQL 15",
      ])
  }

  @Test func lowHotStandbySettingsAreRaisedWithANote() throws {
    let repository = try SyntheticRepository(events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(
      repository,
      destination:
        "  data_directory: /srv/data\n  port: 5599\n  os_user: postgres\n  settings:\n    max_connections: 1️⃣10\n    work_mem: 64MB"
    )
    let compilation = try #require(compile(marked.text, base: repository.base, wal: [repository.wal]))
    let compiled = try #require(compilation.compiled)
    #expect(compiled.configuration.value(of: "max_connections") == "120")
    #expect(compiled.configuration.value(of: "work_mem") == "64MB")
    let note = try #require(compilation.diagnostics.first { $0.severity == .note })
    #expect(note.location == at(marked, "1️⃣"))
    #expect(
      note.message
        == "max_connections = 10 is lower than on the primary (120); pitr writes 120, since "
        + "replay stops with a lower value (it can be lowered after promotion)")
  }

  @Test func tablespacesMustBeMappedByOID() throws {
    var backup = RepositoryFixture.Backup(id: "b1")
    backup.tablespaces = [(16390, "/srv/production/ts")]
    let repository = try SyntheticRepository(backups: [backup], events: [.commit(700)])
    defer { repository.remove() }
    let unmapped = plan(repository, destination: "  data_directory: 1️⃣/srv/data\n  port: 5599\n  os_user: postgres")
    #expect(
      errors(unmapped, repository, FixedEnvironment()).map(\.0) == [
        "backup b1 has tablespace 16390 at /srv/production/ts; map it to a new directory in "
          + "destination.tablespaces (restoring it in place would write into the source's tablespace)"
      ])
    let wrong = plan(
      repository,
      destination:
        "  data_directory: /srv/data\n  port: 5599\n  os_user: postgres\n  tablespaces:\n    1️⃣\"16391\": /srv/ts\n    2️⃣archive: /srv/ts2"
    )
    let found = errors(wrong, repository, FixedEnvironment())
    #expect(found.map(\.1).contains(at(wrong, "1️⃣")))
    #expect(found.map(\.0).contains("backup b1 has no tablespace with OID 16391; its tablespaces are 16390"))
    #expect(
      found.map(\.0).contains(
        "tablespace 'archive': a backup names its tablespaces by OID only; write the OID (one of 16390)"))
    let mapped = plan(
      repository,
      destination:
        "  data_directory: /srv/data\n  port: 5599\n  os_user: postgres\n  tablespaces:\n    \"16390\": /srv/ts")
    let compiled = try #require(compile(mapped.text, base: repository.base, wal: [repository.wal])?.compiled)
    #expect(compiled.destination.tablespaces.map(\.location) == ["/srv/ts"])
    #expect(compiled.graph.steps.contains { $0.id == "extract-tablespace-16390" })
  }

  /// /srv a link to /mnt/data, as on many servers: the destination is resolved once, here,
  /// said in a note at each path, and every step names the real directories.
  @Test func aDestinationBelowALinkIsResolvedAndNoted() throws {
    var backup = RepositoryFixture.Backup(id: "b1")
    backup.tablespaces = [(16390, "/srv/production/ts")]
    let repository = try SyntheticRepository(backups: [backup], events: [.commit(700)])
    defer { repository.remove() }
    let marked = plan(
      repository,
      destination:
        "  data_directory: 1️⃣/srv/pg/data\n  port: 5599\n  os_user: postgres\n  tablespaces:\n    \"16390\": 2️⃣/srv/ts")
    var environment = FixedEnvironment()
    environment.links = ["/srv": "/mnt/data"]

    let compilation = try #require(
      compile(marked.text, base: repository.base, wal: [repository.wal], environment: environment))

    let compiled = try #require(compilation.compiled, "\(compilation.diagnostics.map(\.message))")
    #expect(
      compilation.diagnostics.map(\.message) == [
        "'/srv/pg/data' is reached through a symbolic link; pitr restores into /mnt/data/pg/data, the "
          + "directory it names now",
        "'/srv/ts' is reached through a symbolic link; pitr restores the tablespace into /mnt/data/ts, "
          + "the directory it names now",
      ])
    #expect(compilation.diagnostics.map(\.severity) == [.note, .note])
    #expect(compilation.diagnostics.map(\.location) == [at(marked, "1️⃣"), at(marked, "2️⃣")])
    #expect(compiled.destination.dataDirectory == "/mnt/data/pg/data")
    #expect(compiled.destination.stateDirectory == "/mnt/data/pg/data.pitr")
    #expect(compiled.destination.tablespaces.map(\.location) == ["/mnt/data/ts"])
    #expect(
      compiled.graph.steps.first { $0.id == "extract-base" }?.summary == "extract base backup b1 into /mnt/data/pg/data"
    )
  }
}
