import PostgresVocabulary

/// The progress line shown while the restored server replays WAL towards the target:
/// "replayed up to 0/3000060, stopping at 0/3000100" (without the stop when pitr could not
/// predict where recovery ends, as for `latest`).
enum ReplayProgress {
  /// - Parameters:
  ///   - replayed: `pg_last_wal_replay_lsn()` as the server prints it.
  ///   - predictedStop: The LSN the compiler predicts recovery stops at, if it knows one.
  static func describe(replayed: String, predictedStop: LSN?) -> String {
    "replayed up to \(replayed)" + (predictedStop.map { ", stopping at \($0)" } ?? "")
  }
}
