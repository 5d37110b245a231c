extension PostgresLab {
  /// Runs `pgbench` against the primary (for example `["-i", "-s", "1"]` to initialise, or
  /// `["-c", "2", "-t", "100"]` for traffic); returns what it printed.
  @discardableResult
  public func pgbench(_ arguments: [String], database: String = "postgres", timeout: Double = 300)
    throws -> String
  {
    try Self.runClient(
      "pgbench", ["-h", socketDirectory, "-p", String(port), "-U", "postgres", "-n"] + arguments + [database],
      timeout: timeout)
  }
}
