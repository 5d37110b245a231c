import ArgumentParser

/// Options of the commands that change a destination (`pitr apply`, `pitr advance`): the
/// confirmation, how long to wait for recovery, and whether to use the catalog cache.
struct RunOptions: ParsableArguments {
  @Flag(name: .long, help: "Do not ask for confirmation (required without a terminal).")
  var yes = false

  @Option(
    help: ArgumentHelp(
      "Give up waiting for recovery to reach the target after this many seconds.", valueName: "seconds"))
  var timeout: Double = 86_400

  @Flag(name: .long, help: "Read every backup file again instead of using the catalog cache.")
  var noCache = false

  func validate() throws {
    guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
  }
}
