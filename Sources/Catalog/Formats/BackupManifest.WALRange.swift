import PostgresVocabulary

extension BackupManifest {
  /// The WAL a backup needs on one timeline: from `start` to `end`.
  public struct WALRange: Hashable, Sendable {
    public var timeline: TimelineID
    /// The backup's start LSN on its start timeline, or where a later timeline begins.
    public var start: LSN
    /// The backup's end LSN (the end of its BACKUP_END record), or where the next timeline
    /// begins.
    public var end: LSN

    public init(timeline: TimelineID, start: LSN, end: LSN) {
      self.timeline = timeline
      self.start = start
      self.end = end
    }
  }
}
