import ArgumentParser

/// pitr's exit codes; stable, and documented in docs/exit-codes.md.
public enum PITRExitCode {
  /// The command did what was asked.
  public static let success = ExitCode(0)
  /// Executing a plan failed.
  public static let executionFailed = ExitCode(1)
  /// The plan is invalid or its target is unreachable.
  public static let invalidPlan = ExitCode(2)
  /// The command line was wrong, or a file it names cannot be read (`EX_USAGE`).
  public static let usage = ExitCode(64)
}
