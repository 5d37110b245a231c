import PostgresVocabulary

/// How the archive's timelines descend from each other, from its `.history` files, with
/// PostgreSQL's rules for following them (FORMATS.md §5.2).
public struct TimelineTree: Sendable {
  /// One timeline on the way to another: where it begins (0/0 for the first).
  public struct Step: Hashable, Sendable {
    public var timeline: TimelineID
    public var begins: LSN
  }

  private let histories: [TimelineID: ArchivedHistoryFile]

  public init(histories: [ArchivedHistoryFile]) {
    self.histories = Dictionary(histories.map { ($0.timeline, $0) }, uniquingKeysWith: { $1 })
  }

  /// Whether timeline `timeline` is known: 1 always, others by their history file.
  public func exists(_ timeline: TimelineID) -> Bool {
    timeline.rawValue == 1 || histories[timeline] != nil
  }

  /// The timelines recovery follows to reach `timeline`, newest first, each with the LSN
  /// where it begins; `nil` when the history file is missing.
  public func path(to timeline: TimelineID) -> [Step]? {
    if timeline.rawValue == 1 { return [Step(timeline: timeline, begins: .invalid)] }
    guard let history = histories[timeline] else { return nil }
    var steps = [Step(timeline: timeline, begins: history.entries.last?.switchLSN ?? .invalid)]
    for (index, entry) in history.entries.enumerated().reversed() {
      let begins = index == 0 ? LSN.invalid : history.entries[index - 1].switchLSN
      steps.append(Step(timeline: entry.timeline, begins: begins))
    }
    return steps
  }

  /// The timeline that holds `lsn` on the way to `timeline`.
  public func timeline(owning lsn: LSN, onPathTo timeline: TimelineID) -> TimelineID? {
    path(to: timeline)?.first { $0.begins <= lsn }?.timeline
  }

  /// What `recovery_target_timeline = 'latest'` picks starting from `current`: the history
  /// files current+1, current+2, … are probed until one is missing.
  public func latest(from current: TimelineID) -> TimelineID {
    var timeline = current
    while histories[TimelineID(timeline.rawValue + 1)] != nil {
      timeline = TimelineID(timeline.rawValue + 1)
    }
    return timeline
  }

  /// Timelines whose path goes through `timeline` at `lsn`: recovery from a backup on
  /// `timeline` whose checkpoint is `lsn` can follow any of them (itself included).
  public func descendants(of timeline: TimelineID, at lsn: LSN) -> [TimelineID] {
    let candidates = [timeline] + histories.keys.filter { $0 != timeline }.sorted()
    return candidates.filter { self.timeline(owning: lsn, onPathTo: $0) == timeline }
  }

  /// The history file of a timeline, if archived.
  public func history(of timeline: TimelineID) -> ArchivedHistoryFile? { histories[timeline] }

  /// History files that contradict their parent's: a timeline's file must repeat its
  /// parent's entries, then add one. Returns each offending file with the reason.
  public func inconsistentHistories() -> [(ArchivedHistoryFile, String)] {
    var problems: [(ArchivedHistoryFile, String)] = []
    for history in histories.values.sorted(by: { $0.timeline < $1.timeline }) {
      guard let parent = history.parent?.timeline, parent.rawValue > 1 else { continue }
      guard let parentHistory = histories[parent] else {
        problems.append((history, "its parent timeline \(parent) has no history file in the archive"))
        continue
      }
      let inherited = history.entries.dropLast().map { [$0.timeline.rawValue: $0.switchLSN] }
      let parents = parentHistory.entries.map { [$0.timeline.rawValue: $0.switchLSN] }
      if inherited != parents {
        problems.append(
          (
            history,
            "it disagrees with \(parent.fileNamePart).history about where earlier timelines "
              + "forked, so the two do not come from the same history"
          ))
      }
    }
    return problems
  }
}
