/// What `pitr wal-fetch` did with a request, when nothing went wrong.
public enum WALFetchOutcome: Equatable, Sendable {
  /// The file is at the destination; `source` is the spooled or archived file it came from.
  case fetched(source: String)
  /// No such file: the normal answer for files PostgreSQL probes for, such as the next
  /// timeline's history file. `reason` is one short line.
  case notFound(reason: String)
}
