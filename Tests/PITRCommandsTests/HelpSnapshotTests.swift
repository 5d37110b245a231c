import ArgumentParser
import Testing
import _PITRTestSupport

@testable import PITRCommands

/// Golden files of every command's `--help`, subcommands included (`wal find`,
/// `wal restore-points`, `completion`), rendered by argument-parser at 80 columns whatever
/// the terminal. A command added to the tree gets its golden file recorded on the first run
/// (which fails until it is reviewed). Re-record with
/// `PITR_RECORD_SNAPSHOTS=1 swift test --filter PITRCommandsTests.HelpSnapshotTests`.
@Suite struct HelpSnapshotTests {
  static let columns = 80

  /// Every command in the tree with its path of names (`["pitr", "wal", "find"]`), depth first.
  static func commands(
    _ command: ParsableCommand.Type = PITRCommand.self, path: [String] = []
  ) -> [(path: [String], command: ParsableCommand.Type)] {
    let configuration = command.configuration
    let name = configuration.commandName ?? "\(command)".lowercased()
    let here = path + [name]
    return [(here, command)] + configuration.subcommands.flatMap { commands($0, path: here) }
  }

  static var commandPaths: [String] { commands().map { $0.path.joined(separator: " ") } }

  @Test func theTreeHasTheCommandsTheREADMEList() {
    let paths = Set(Self.commandPaths)
    for expected in [
      "pitr", "pitr validate", "pitr plan", "pitr apply", "pitr status", "pitr catalog", "pitr wal",
      "pitr wal find", "pitr wal restore-points", "pitr wal-fetch", "pitr schema", "pitr demo",
      "pitr completion",
    ] {
      #expect(paths.contains(expected), "\(expected) is not in the command tree")
    }
  }

  @Test(arguments: commandPaths)
  func help(_ path: String) throws {
    let command = try #require(Self.commands().first { $0.path.joined(separator: " ") == path }?.command)
    let text = PITRCommand.helpMessage(for: command, columns: Self.columns)
    #expect(text == PITRCommand.helpMessage(for: command, columns: Self.columns))
    expectSnapshot(text + "\n", named: "help-" + path.replacingOccurrences(of: " ", with: "-"))
  }
}
