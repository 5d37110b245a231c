import PostgresVocabulary

/// A timeline history file (`00000003.history`): the ancestors of a timeline, oldest first,
/// and the LSN at which each one was left.
///
/// Each line is `<parent TLI>\t<switch LSN>\t<reason>`, e.g.
/// `1\t0/601CD08\tbefore 2026-11-22 15:33:14.839189+00`. As PostgreSQL's reader does, blank
/// lines (time and LSN reasons leave one behind) and lines starting with `#` are skipped, and
/// timelines must increase and stay below the file's own.
public struct TimelineHistory: Hashable, Sendable {
  /// One ancestor: timeline `timeline` ran until `switchLSN`, where its child began.
  public struct Entry: Hashable, Sendable {
    public var timeline: TimelineID
    /// The first LSN that belongs to the next timeline.
    public var switchLSN: LSN
    /// Why the timeline was left (`at restore point "rp1"`, `no recovery target specified`);
    /// empty when the line gives none.
    public var reason: String

    public init(timeline: TimelineID, switchLSN: LSN, reason: String) {
      self.timeline = timeline
      self.switchLSN = switchLSN
      self.reason = reason
    }
  }

  /// The timeline the file describes (from its name).
  public var timeline: TimelineID
  /// Its ancestors, oldest first.
  public var entries: [Entry]

  public init(timeline: TimelineID, entries: [Entry]) {
    self.timeline = timeline
    self.entries = entries
  }

  /// Parses the text of the history file of `timeline`.
  public init(parsing text: String, timeline: TimelineID) throws(CatalogFormatError) {
    self.timeline = timeline
    entries = []
    let file = CatalogFormatError.File.timelineHistory(timeline)
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    for (index, line) in lines.enumerated() {
      let content = line.drop { $0.isWhitespace }
      if content.isEmpty || content.hasPrefix("#") { continue }
      let entry: Entry
      do {
        entry = try Self.entry(content)
      } catch {
        throw CatalogFormatError(file, line: index + 1, .invalidContent(error.message))
      }
      let previous = entries.last?.timeline.rawValue ?? 0
      guard entry.timeline.rawValue > previous, entry.timeline < timeline else {
        let rule =
          entry.timeline >= timeline
          ? "is not lower than the file's own timeline \(timeline)"
          : "does not follow \(previous); timelines must increase from line to line"
        throw CatalogFormatError(
          file, line: index + 1, .invalidContent("timeline \(entry.timeline) \(rule)"))
      }
      entries.append(entry)
    }
  }

  /// The timelines before this one, oldest first.
  public var ancestors: [TimelineID] { entries.map(\.timeline) }

  /// The LSN at which this timeline begins: the last switch point, or 0/0 without ancestors.
  public var startLSN: LSN { entries.last?.switchLSN ?? .invalid }

  /// The timeline of this history that holds `lsn`: the first ancestor left after it, or
  /// the file's own timeline. A switch LSN itself belongs to the child.
  public func timeline(containing lsn: LSN) -> TimelineID {
    entries.first { lsn < $0.switchLSN }?.timeline ?? timeline
  }

  private struct LineProblem: Error {
    var message: String
  }

  /// Reads `<decimal TLI><whitespace><LSN>[<whitespace><reason>]`.
  private static func entry(_ line: Substring) throws(LineProblem) -> Entry {
    let digits = line.prefix { ("0"..."9").contains($0) }
    guard let number = UInt32(digits) else {
      throw LineProblem(
        message: "expected a timeline number at the start of '\(line)'")
    }
    let afterNumber = line[digits.endIndex...]
    let lsnText = afterNumber.drop { $0.isWhitespace }.prefix { !$0.isWhitespace }
    guard lsnText.startIndex > afterNumber.startIndex, let lsn = LSN(lsnText) else {
      throw LineProblem(
        message: "expected the switch LSN (X/Y) after timeline \(number) in '\(line)'")
    }
    let reason = line[lsnText.endIndex...].drop { $0.isWhitespace }
    return Entry(timeline: TimelineID(number), switchLSN: lsn, reason: String(reason))
  }
}
