import PlanModel

/// The settings `destination.recovery_tuning: auto` adds to the recovery configuration, for
/// the replay only: computed from the machine at compile time, left out of the finished
/// configuration (so the plan's or the backup's values apply again once promoted). Only what
/// measurably sped up replay in `bench/recovery-tuning.sh` (docs/benchmarks.md) is here.
enum RecoveryTuningSettings {
  static let comment = "recovery tuning; left out after promotion"

  /// shared_buffers for replay: a quarter of the machine's memory, at least 128 MB (the
  /// default) and at most 4 GB (past that, a restore's working set rarely grows and the
  /// server takes long to map it); nil when the memory is unknown.
  static func sharedBuffers(memoryBytes: Int64?) -> String? {
    guard let memoryBytes, memoryBytes > 0 else { return nil }
    let megabytes = min(max(memoryBytes / 4 / (1 << 20), 128), 4096)
    return "\(megabytes)MB"
  }

  /// max_wal_size for replay: restartpoints (and with them the removal of replayed segments,
  /// which archive recovery keeps in pg_wal) come only every `max_wal_size` of WAL, so it is a
  /// quarter of the room left beside the extracted backup, at most 64 GB; nil (PostgreSQL's
  /// 1 GB) when that room is unknown or under 8 GB, so a nearly full disk is not filled by
  /// replayed WAL.
  static func maxWALSize(roomBytes: Int64?) -> String? {
    guard let roomBytes, roomBytes >= 8 << 30 else { return nil }
    return "\(min((roomBytes / 4) >> 30, 64))GB"
  }

  /// The lines for a backup of PostgreSQL `major`, on a machine of `memoryBytes` with
  /// `walRoomBytes` free beside the extracted backup, leaving out any setting the plan sets
  /// itself in `destination.settings` (the plan wins).
  static func lines(memoryBytes: Int64?, walRoomBytes: Int64?, major: Int?, planned: [Setting])
    -> [RecoveryConfiguration.Line]
  {
    let major = major ?? 0
    var candidates: [(String, String)] = []
    if let buffers = sharedBuffers(memoryBytes: memoryBytes) { candidates.append(("shared_buffers", buffers)) }
    if major >= 15 {
      candidates.append(("recovery_prefetch", "on"))
      candidates.append(("maintenance_io_concurrency", "64"))
      candidates.append(("wal_decode_buffer_size", "2MB"))
    }
    candidates.append(("checkpoint_timeout", "1d"))
    if let walSize = maxWALSize(roomBytes: walRoomBytes) { candidates.append(("max_wal_size", walSize)) }
    let taken = Set(planned.map { $0.name.value.lowercased() })
    return candidates.filter { !taken.contains($0.0) }.map { .init($0.0, $0.1, comment: comment) }
  }
}
