import Compiler
import Testing
import _PITRTestSupport

/// `destination.recovery_tuning: auto`: the settings it adds to the recovery configuration,
/// computed from the machine's memory and the backup's major version; the plan's own value
/// winning; none of them in the finished configuration.
@Suite struct RecoveryTuningTests {
  private func machine(memory: Int64?) -> FixedEnvironment {
    var environment = FixedEnvironment()
    environment.memoryBytes = memory
    return environment
  }

  private func tuningLines(_ plan: CompiledPlan) -> [String] {
    plan.configuration.lines.filter { $0.comment == "recovery tuning; left out after promotion" }
      .map { "\($0.name) = \($0.value)" }
  }

  @Test func autoOnA16GiBMachineWithAVersion15Backup() throws {
    let repository = try FinishedConfigurationTests.Repository()
    let plan = try repository.compile(destination: "  recovery_tuning: auto", environment: machine(memory: 16 << 30))

    #expect(
      tuningLines(plan) == [
        "shared_buffers = 4096MB", "recovery_prefetch = on", "maintenance_io_concurrency = 64",
        "wal_decode_buffer_size = 2MB", "checkpoint_timeout = 1d", "max_wal_size = 64GB",
      ])
    // The dry run shows them, with their comment, in the recovery configuration it writes.
    let file = try #require(plan.graph.steps.first { $0.kind == .writeRecoveryConfig }?.files.first)
    #expect(file.content.contains("\nshared_buffers = '4096MB'  # recovery tuning; left out after promotion\n"))
    #expect(file.content.contains("\nrecovery_prefetch = 'on'  # recovery tuning; left out after promotion\n"))
  }

  @Test(arguments: [
    (Int64(2) << 30, "512MB"), (Int64(256) << 20, "128MB"), (Int64(64) << 30, "4096MB"),
    (Int64(6_000_000_000), "1430MB"),
  ])
  func sharedBuffersIsAQuarterOfMemoryFrom128MBTo4GB(memory: Int64, expected: String) throws {
    let repository = try FinishedConfigurationTests.Repository()
    let plan = try repository.compile(destination: "  recovery_tuning: auto", environment: machine(memory: memory))
    #expect(plan.configuration.value(of: "shared_buffers") == expected)
  }

  /// Replayed segments stay in pg_wal until a restartpoint, which max_wal_size spaces: a
  /// quarter of the room left beside the extracted backup, at most 64 GB, none under 8 GB.
  @Test(
    arguments: [
      (Int64(1) << 40, "64GB"), (Int64(100) << 30, "24GB"), (Int64(12) << 30, "2GB"), (Int64(7) << 30, nil),
    ] as [(Int64, String?)])
  func maxWALSizeIsAQuarterOfTheRoomLeft(free: Int64, expected: String?) throws {
    let repository = try FinishedConfigurationTests.Repository()
    var environment = machine(memory: 16 << 30)
    environment.free = free
    let plan = try repository.compile(destination: "  recovery_tuning: auto", environment: environment)
    #expect(plan.configuration.value(of: "max_wal_size") == expected)
    #expect(plan.configuration.value(of: "checkpoint_timeout") == "1d")
  }

  @Test func unknownMemoryLeavesSharedBuffersAlone() throws {
    let repository = try FinishedConfigurationTests.Repository()
    let plan = try repository.compile(destination: "  recovery_tuning: auto", environment: machine(memory: nil))
    #expect(plan.configuration.value(of: "shared_buffers") == nil)
    #expect(plan.configuration.value(of: "recovery_prefetch") == "on")
  }

  @Test func offAddsNothing() throws {
    let repository = try FinishedConfigurationTests.Repository()
    let plan = try repository.compile(environment: machine(memory: 16 << 30))
    #expect(tuningLines(plan) == [])
    #expect(plan.configuration.value(of: "shared_buffers") == nil)
    #expect(plan.configuration.value(of: "recovery_prefetch") == nil)
  }

  @Test func thePlansOwnSettingWins() throws {
    let repository = try FinishedConfigurationTests.Repository()
    let plan = try repository.compile(
      destination: """
          recovery_tuning: auto
          settings:
            shared_buffers: 256MB
            Recovery_Prefetch: "off"
        """, environment: machine(memory: 16 << 30))

    #expect(!tuningLines(plan).contains { $0.hasPrefix("shared_buffers") || $0.hasPrefix("recovery_prefetch") })
    #expect(plan.configuration.lines.filter { $0.name.lowercased() == "shared_buffers" }.map(\.value) == ["256MB"])
    #expect(plan.configuration.lines.filter { $0.name.lowercased() == "recovery_prefetch" }.map(\.value) == ["off"])
    #expect(tuningLines(plan).contains("maintenance_io_concurrency = 64"))
  }

  @Test func theFinishedConfigurationLeavesThemOut() throws {
    let repository = try FinishedConfigurationTests.Repository()
    let tuned = try repository.compile(destination: "  recovery_tuning: auto", environment: machine(memory: 16 << 30))
    let plain = try repository.compile(environment: machine(memory: 16 << 30))
    let tunedFile = try #require(tuned.graph.steps.first { $0.kind == .finish }?.files.first)
    let plainFile = try #require(plain.graph.steps.first { $0.kind == .finish }?.files.first)

    // Byte for byte the file an untuned restore finishes with: no tuning line, no comment.
    #expect(tunedFile.content == plainFile.content)
    #expect(!tunedFile.content.contains("recovery tuning"))
    for line in tuningLines(tuned) {
      let name = String(line.prefix { $0 != " " })
      #expect(!tunedFile.content.contains("\n\(name) ="), "\(name)")
    }
  }

  @Test func aPlansTunedNameStaysAfterPromotion() throws {
    let repository = try FinishedConfigurationTests.Repository()
    let plan = try repository.compile(
      destination: """
          recovery_tuning: auto
          settings:
            shared_buffers: 256MB
        """, environment: machine(memory: 16 << 30))
    let file = try #require(plan.graph.steps.first { $0.kind == .finish }?.files.first)
    #expect(file.content.contains("\nshared_buffers = '256MB'  # from the plan\n"))
    #expect(!file.content.contains("4096MB"))
  }
}
