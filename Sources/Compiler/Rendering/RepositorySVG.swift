import Catalog
import Foundation
import PlanModel
import PostgresVocabulary
import WAL

/// The backup repository as a picture (`pitr catalog --format svg`, `pitr plan --format svg`):
/// one lane per timeline, its fork drawn from the parent's lane; archived WAL as a band with
/// gaps, unusable and damaged segments in red; base backups as bars from their start to their
/// consistent point; restorable windows as translucent bars; restore points as marks; and for
/// a plan, its target and the predicted stop as vertical lines.
///
/// The x axis is WAL position, piecewise linear: every place something happens (a segment
/// boundary, a backup, a restore point, a fork) is at least a few pixels from the next, so a
/// missing segment among thousands and restore points a few bytes apart stay visible, in
/// order. Times are written in UTC. Same input, same bytes.
public enum RepositorySVG {
  /// Draws the catalog, with `restorePoints` (from `ArchivedRestorePoints`) and, for
  /// `pitr plan`, the compiled plan's backup, target and stop.
  public static func render(
    _ catalog: Catalog, restorePoints: [ArchivedRestorePoints.Point], plan: CompiledPlan? = nil
  ) -> String {
    var drawing = Drawing(catalog: catalog, restorePoints: restorePoints, plan: plan)
    return drawing.render()
  }

  /// Escapes text for XML content and attribute values.
  public static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&apos;"
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
          scalar.value < 0x20, scalar != "\t", scalar != "\n", scalar != "\r"
        {
          result += "?"
        } else {
          result.append(character)
        }
      }
    }
    return result
  }
}

// MARK: - The x axis

/// WAL position to x: piecewise linear between the places that matter, each interval at least
/// `minimum` pixels wide, the rest shared in proportion to the bytes.
struct WALScale {
  let stops: [Double]  // LSNs, ascending, as Doubles
  let positions: [Double]  // x of each stop

  init(lsns: [UInt64], from left: Double, to right: Double, minimum: Double) {
    let sorted = Array(Set(lsns)).sorted().map { Double($0) }
    guard sorted.count >= 2 else {
      stops = sorted.isEmpty ? [0, 1] : [sorted[0], sorted[0] + 1]
      positions = [left, right]
      return
    }
    let lengths = zip(sorted.dropFirst(), sorted).map { $0 - $1 }
    let width = right - left
    let floor = min(minimum, width / Double(lengths.count) / 2)
    func total(_ scale: Double) -> Double { lengths.reduce(0) { $0 + max(floor, $1 * scale) } }
    var low = 0.0
    var high = width / lengths.reduce(0, +)
    for _ in 0..<80 {
      let middle = (low + high) / 2
      if total(middle) > width { high = middle } else { low = middle }
    }
    var x = left
    var positions = [left]
    for length in lengths {
      x += max(floor, length * low)
      positions.append(x)
    }
    positions[positions.count - 1] = right
    stops = sorted
    self.positions = positions
  }

  func x(_ lsn: LSN) -> Double { x(Double(lsn.rawValue)) }

  func x(_ value: Double) -> Double {
    if value <= stops[0] { return positions[0] }
    if value >= stops[stops.count - 1] { return positions[positions.count - 1] }
    var low = 0
    var high = stops.count - 1
    while high - low > 1 {
      let middle = (low + high) / 2
      if stops[middle] <= value { low = middle } else { high = middle }
    }
    let fraction = (value - stops[low]) / (stops[high] - stops[low])
    return positions[low] + fraction * (positions[high] - positions[low])
  }
}

// MARK: - Drawing

private struct Drawing {
  let catalog: Catalog
  let restorePoints: [ArchivedRestorePoints.Point]
  let plan: CompiledPlan?
  let size: WALSegmentSize

  static let width = 1200.0
  static let left = 150.0
  static let right = 1170.0
  static let characterWidth = 6.3
  static let rowHeight = 18.0

  var body = ""
  var scale = WALScale(lsns: [], from: left, to: right, minimum: 1)
  var usedIDs = Set<String>()

  init(catalog: Catalog, restorePoints: [ArchivedRestorePoints.Point], plan: CompiledPlan?) {
    self.catalog = catalog
    self.restorePoints = restorePoints
    self.plan = plan
    self.size = catalog.archive.segmentSize ?? .sixteenMiB
  }

  // MARK: What is drawn

  /// Every timeline drawn, oldest first: the catalog's, and those only windows name.
  var timelines: [TimelineID] {
    var all = Set(catalog.timelines.map(\.timeline))
    all.formUnion(catalog.backups.map(\.label.startTimeline))
    all.formUnion(catalog.windows.map(\.timeline))
    all.formUnion(restorePoints.map(\.timeline))
    return all.sorted()
  }

  func segmentStart(_ name: WALSegmentName) -> LSN { name.lsnRange(size: size)?.lowerBound ?? .invalid }
  func segmentEnd(_ name: WALSegmentName) -> LSN { name.lsnRange(size: size)?.upperBound ?? .invalid }

  /// The plan's target and predicted stop, as positions and words.
  struct PlanLines {
    var target: LSN?
    var targetLabel: String
    var stop: LSN?
    var stopLabel: String
  }

  var planLines: PlanLines? {
    guard let plan else { return nil }
    let window = catalog.windows.first {
      $0.backupID == plan.backup.id && $0.timeline == plan.target.timeline
    }
    let stop = plan.prediction.stopLSN ?? window?.end
    let target: LSN?
    switch plan.target.kind {
    case .lsn(let lsn): target = lsn
    case .immediate: target = plan.backup.consistentLSN
    case .latest: target = window?.end
    case .name(let name):
      target =
        plan.prediction.stopLSN
        ?? restorePoints.first { $0.name == name && $0.timeline <= plan.target.timeline }?.lsn
    case .time, .xid: target = plan.prediction.stopLSN
    }
    let settings = plan.target.settings.filter { $0.name != "recovery_target_timeline" }
    let written = settings.first.map { "\($0.name) = '\($0.value)'" } ?? "all the WAL (latest)"
    return PlanLines(
      target: target, targetLabel: "target: \(written), timeline \(plan.target.timeline)",
      stop: stop,
      stopLabel: "predicted stop: "
        + (plan.prediction.stopMessage ?? "end of WAL") + (stop.map { " (\($0))" } ?? ""))
  }

  /// Every LSN the axis must keep apart.
  var placesOfInterest: [UInt64] {
    var places: [LSN] = []
    for timeline in catalog.archive.timelines {
      for range in timeline.ranges + timeline.gaps {
        places += [segmentStart(range.first), segmentEnd(range.last)]
      }
    }
    for segment in catalog.archive.unusableSegments ?? [] {
      places += [segmentStart(segment.name), segmentEnd(segment.name)]
    }
    for segment in catalog.archive.partialSegments {
      places += [segmentStart(segment.name), segmentEnd(segment.name)]
    }
    for backup in catalog.backups {
      places.append(backup.label.startLSN)
      if let consistent = backup.consistentLSN { places.append(consistent) }
    }
    for window in catalog.windows {
      places += [window.start, window.end]
      if let damage = window.damage { places += [damage.lsn, segmentEnd(damage.segment)] }
    }
    places += catalog.timelines.compactMap(\.switchLSN)
    places += restorePoints.map(\.lsn)
    if let lines = planLines { places += [lines.target, lines.stop].compactMap { $0 } }
    return places.map(\.rawValue)
  }

  // MARK: Rendering

  mutating func render() -> String {
    scale = WALScale(lsns: placesOfInterest, from: Self.left, to: Self.right, minimum: 14)
    var y = 10.0
    y = title(at: y)
    y = legend(at: y)
    let planTop = y
    var planLabelRows: [(String, Double, String, String)] = []
    if let lines = planLines {
      // Label rows above the lanes; the lines themselves are drawn once the lanes' height is known.
      if let target = lines.target {
        planLabelRows.append((lines.targetLabel, scale.x(target), "target", "#e65100"))
      }
      if let stop = lines.stop {
        planLabelRows.append((lines.stopLabel, scale.x(stop), "stop", "#6a1b9a"))
      }
      y += Double(planLabelRows.count) * 16 + 6
    }
    var laneCenters: [TimelineID: Double] = [:]
    for timeline in timelines {
      let (center, bottom) = lane(timeline, top: y)
      laneCenters[timeline] = center
      y = bottom
    }
    if timelines.isEmpty {
      text("no timelines: the archive has no segments", x: Self.left, y: y + 20, attributes: "class=\"empty\"")
      y += 36
    }
    forks(laneCenters)
    let lanesBottom = y
    y = axis(at: y + 4)
    for (index, (label, x, kind, colour)) in planLabelRows.enumerated() {
      let labelY = planTop + 12 + Double(index) * 16
      let dash = kind == "target" ? " stroke-dasharray=\"6 3\"" : ""
      body +=
        "<g class=\"plan-line\" id=\"\(kind)\" data-kind=\"\(kind)\">"
        + "<line x1=\"\(n(x))\" y1=\"\(n(labelY + 3))\" x2=\"\(n(x))\" y2=\"\(n(lanesBottom))\" "
        + "stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>"
      let width = Double(label.count) * Self.characterWidth
      let anchor = x + 4 + width > Self.width - 4 ? "end" : "start"
      let textX = anchor == "end" ? max(x - 4, width + 4) : x + 4
      body +=
        "<text x=\"\(n(textX))\" y=\"\(n(labelY))\" text-anchor=\"\(anchor)\" fill=\"\(colour)\" "
        + "font-weight=\"bold\">\(RepositorySVG.escape(label))</text></g>\n"
    }
    let height = y + 10
    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(n(Self.width))" height="\(n(height))" \
      viewBox="0 0 \(n(Self.width)) \(n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" \
      font-size="11">
      <rect width="100%" height="100%" fill="white"/>

      """ + body + "</svg>\n"
  }

  mutating func title(at y: Double) -> Double {
    let what = plan.map { "Restore plan '\($0.planName)' over the backup repository" } ?? "Backup repository"
    text(what, x: 10, y: y + 14, attributes: "font-size=\"15\" font-weight=\"bold\" class=\"title\"")
    var facts = ["base \(catalog.base)", "WAL \(catalog.wal.joined(separator: ", "))"]
    if let size = catalog.archive.segmentSize { facts.append("\(size) segments") }
    if let version = catalog.archive.majorVersion { facts.append("PostgreSQL \(version)") }
    text(facts.joined(separator: " · "), x: 10, y: y + 30, attributes: "fill=\"#555\"")
    return y + 40
  }

  mutating func legend(at y: Double) -> Double {
    var x = 10.0
    let entries: [(String, String)] =
      [
        ("<rect width=\"14\" height=\"10\" fill=\"#66bb6a\"/>", "archived WAL"),
        ("<rect width=\"14\" height=\"10\" fill=\"#e53935\"/>", "missing, unusable or damaged WAL"),
        ("<rect width=\"14\" height=\"10\" fill=\"#37474f\"/>", "base backup: start to consistent"),
        (
          "<rect width=\"14\" height=\"10\" fill=\"#1e88e5\" fill-opacity=\"0.3\" stroke=\"#1e88e5\"/>",
          "restorable window"
        ),
        ("<path d=\"M2,0 L12,0 L7,9 Z\" fill=\"#f9a825\" stroke=\"#795548\"/>", "restore point"),
        ("<circle cx=\"7\" cy=\"5\" r=\"3\" fill=\"#0d47a1\"/>", "last transaction in a window"),
      ]
      + (plan == nil
        ? []
        : [
          (
            "<line x1=\"7\" y1=\"-2\" x2=\"7\" y2=\"12\" stroke=\"#e65100\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>",
            "target"
          ),
          ("<line x1=\"7\" y1=\"-2\" x2=\"7\" y2=\"12\" stroke=\"#6a1b9a\" stroke-width=\"2\"/>", "predicted stop"),
        ])
    var y = y
    body += "<g class=\"legend\">"
    for (swatch, label) in entries {
      let width = 18 + Double(label.count) * Self.characterWidth
      if x + width > Self.width - 4 {
        x = 10
        y += 18
      }
      body += "<g transform=\"translate(\(n(x)),\(n(y)))\">\(swatch)</g>"
      body += "<text x=\"\(n(x + 18))\" y=\"\(n(y + 9))\">\(RepositorySVG.escape(label))</text>"
      x += width + 16
    }
    body += "</g>\n"
    return y + 22
  }

  // MARK: Lanes

  /// Draws one timeline's lane from `top`; returns the y of its WAL band's middle and its bottom.
  mutating func lane(_ timeline: TimelineID, top: Double) -> (Double, Double) {
    let summary = catalog.timelines.first { $0.timeline == timeline }
    let points = restorePoints.filter { $0.timeline == timeline }
    // Restore point labels on as many levels as they need not to overlap.
    var levelEnds: [Double] = []
    var placed: [(ArchivedRestorePoints.Point, Double, Int)] = []
    for point in points {
      let x = scale.x(point.lsn)
      let width = Double(point.name.count) * Self.characterWidth
      let start = x - 4
      let level = levelEnds.firstIndex { $0 < start } ?? levelEnds.count
      if level == levelEnds.count { levelEnds.append(0) }
      levelEnds[level] = start + width + 10
      placed.append((point, x, level))
    }
    let labelsHeight = Double(levelEnds.count) * 13
    let bandTop = top + 10 + labelsHeight + (points.isEmpty ? 0 : 10)
    let bandHeight = 16.0
    let laneID = "timeline-\(timeline)"
    body += "<g class=\"lane\" id=\"\(laneID)\" data-timeline=\"\(timeline)\">\n"

    // The lane's name and where it came from.
    text("timeline \(timeline)", x: 10, y: bandTop + 12, attributes: "font-weight=\"bold\" font-size=\"13\"")
    var origin: [(String, String)] = []
    if let parent = summary?.parent, let lsn = summary?.switchLSN {
      origin.append(("from \(parent) at \(lsn)", "#555"))
    }
    if summary?.missingHistory != nil {
      origin.append(("no history file:", "#c62828"))
      origin.append(("parent unknown", "#c62828"))
    }
    for (index, (line, colour)) in origin.enumerated() {
      text(line, x: 10, y: bandTop + 26 + Double(index) * 12, attributes: "fill=\"\(colour)\" font-size=\"10\"")
    }

    walBand(timeline, top: bandTop, height: bandHeight)

    for (point, x, level) in placed {
      let labelY = top + 10 + Double(levelEnds.count - 1 - level) * 13 + 9
      let title =
        "restore point \"\(point.name)\" at \(point.lsn), \(point.time) (UTC), timeline \(point.timeline), in \(point.segment)"
      body +=
        "<g class=\"restore-point\" data-name=\"\(RepositorySVG.escape(point.name))\" "
        + "data-lsn=\"\(point.lsn)\" data-timeline=\"\(timeline)\"><title>\(RepositorySVG.escape(title))</title>"
        + "<line x1=\"\(n(x))\" y1=\"\(n(labelY + 2))\" x2=\"\(n(x))\" y2=\"\(n(bandTop + bandHeight))\" "
        + "stroke=\"#795548\" stroke-width=\"1\" stroke-dasharray=\"2 2\"/>"
        + "<path d=\"M\(n(x - 5)),\(n(bandTop - 9)) L\(n(x + 5)),\(n(bandTop - 9)) L\(n(x)),\(n(bandTop - 1)) Z\" "
        + "fill=\"#f9a825\" stroke=\"#795548\"/>"
        + "<text x=\"\(n(x - 4))\" y=\"\(n(labelY))\" fill=\"#4e342e\">\(RepositorySVG.escape(point.name))</text></g>\n"
    }

    var y = bandTop + bandHeight + 8
    // One row per backup on this timeline, followed by its windows along this timeline; then
    // the windows along this timeline of backups on others.
    var drawnWindows = Set<Int>()
    for backup in catalog.backups where backup.label.startTimeline == timeline {
      let windows = catalog.windows.enumerated().filter {
        $0.element.backupID == backup.id && $0.element.timeline == timeline
      }
      backupRow(backup, windows: windows.map(\.element), y: y)
      drawnWindows.formUnion(windows.map(\.offset))
      y += Self.rowHeight + 4
    }
    for (index, window) in catalog.windows.enumerated()
    where window.timeline == timeline && !drawnWindows.contains(index) {
      windowRow(window, y: y)
      y += Self.rowHeight + 4
    }
    let bottom = max(y + 6, bandTop + 26 + Double(origin.count) * 12)
    body += "</g>\n"
    body +=
      "<line class=\"lane-separator\" x1=\"0\" y1=\"\(n(bottom))\" x2=\"\(n(Self.width))\" y2=\"\(n(bottom))\" stroke=\"#ccc\"/>\n"
    return (bandTop + bandHeight / 2, bottom)
  }

  /// The archived WAL of one timeline: its runs, gaps, unusable and damaged segments.
  mutating func walBand(_ timeline: TimelineID, top: Double, height: Double) {
    let segments = catalog.archive.timelines.first { $0.timeline == timeline }
    body +=
      "<rect class=\"lane-track\" x=\"\(n(Self.left))\" y=\"\(n(top))\" width=\"\(n(Self.right - Self.left))\" "
      + "height=\"\(n(height))\" fill=\"#f5f5f5\" stroke=\"#e0e0e0\"/>\n"
    for range in segments?.ranges ?? [] {
      let title = range.count == 1 ? "\(range.first)" : "\(range.first) to \(range.last) (\(range.count) segments)"
      segmentRect(
        from: segmentStart(range.first), to: segmentEnd(range.last), top: top, height: height,
        fill: "#66bb6a", kind: "wal", segment: range.first, title: "archived: " + title)
    }
    for gap in segments?.gaps ?? [] {
      let title = gap.count == 1 ? "\(gap.first)" : "\(gap.first) to \(gap.last) (\(gap.count) segments)"
      segmentRect(
        from: segmentStart(gap.first), to: segmentEnd(gap.last), top: top, height: height,
        fill: "#e53935", kind: "gap", segment: gap.first, title: "missing from the archive: " + title)
    }
    for partial in catalog.archive.partialSegments where partial.name.timeline == timeline {
      segmentRect(
        from: segmentStart(partial.name), to: segmentEnd(partial.name), top: top + height / 2,
        height: height / 2, fill: "#ffb74d", kind: "partial", segment: partial.name,
        title: "\(partial.name).partial: recovery never reads it")
    }
    for unusable in catalog.archive.unusableSegments ?? [] where unusable.name.timeline == timeline {
      segmentRect(
        from: segmentStart(unusable.name), to: segmentEnd(unusable.name), top: top, height: height,
        fill: "#b71c1c", kind: "unusable", segment: unusable.name,
        title: "unusable: \(unusable.name): \(unusable.reason)")
    }
    var damaged = Set<WALSegmentName>()
    for window in catalog.windows {
      guard let damage = window.damage, damage.segment.timeline == timeline,
        damaged.insert(damage.segment).inserted
      else { continue }
      segmentRect(
        from: damage.lsn, to: segmentEnd(damage.segment), top: top, height: height,
        fill: "#b71c1c", kind: "damage", segment: damage.segment,
        title: "damaged: valid WAL ends at \(damage.lsn) in \(damage.segment): \(damage.reason)")
    }
  }

  mutating func segmentRect(
    from start: LSN, to end: LSN, top: Double, height: Double, fill: String, kind: String,
    segment: WALSegmentName, title: String
  ) {
    let x = scale.x(start)
    let width = max(scale.x(end) - x, 2)
    body +=
      "<rect class=\"\(kind)\" id=\"\(uniqueID("\(kind)-\(segment)"))\" data-segment=\"\(segment)\" "
      + "x=\"\(n(x))\" y=\"\(n(top))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\">"
      + "<title>\(RepositorySVG.escape(title))</title></rect>\n"
  }

  // MARK: Backups and windows

  mutating func backupRow(_ backup: BaseBackup, windows: [RestorableWindow], y: Double) {
    let start = scale.x(backup.label.startLSN)
    let end = max(scale.x(backup.consistentLSN ?? backup.label.startLSN), start + 4)
    let chosen = plan?.backup.id == backup.id
    var title = "base backup \(backup.id): starts at \(backup.label.startLSN)"
    title += backup.label.startTime.map { " (\($0))" } ?? ""
    title += backup.consistentLSN.map { ", consistent at \($0)" } ?? ", consistent point unknown"
    title += backup.stop?.time.map { " (\($0))" } ?? ""
    if let incremental = backup.incremental {
      title += ", incremental from \(incremental.fromLSN)" + (incremental.parent.map { " (backup \($0))" } ?? "")
    }
    body +=
      "<g class=\"backup\(chosen ? " chosen" : "")\" id=\"\(uniqueID("backup-\(backup.id)"))\" "
      + "data-backup=\"\(RepositorySVG.escape(backup.id))\" data-timeline=\"\(backup.label.startTimeline)\">"
      + "<title>\(RepositorySVG.escape(title))</title>"
      + "<rect x=\"\(n(start))\" y=\"\(n(y))\" width=\"\(n(end - start))\" height=\"\(n(Self.rowHeight))\" "
      + "fill=\"\(backup.incremental == nil ? "#37474f" : "#78909c")\""
      + (chosen ? " stroke=\"#e65100\" stroke-width=\"3\"" : "") + "/></g>\n"
    var right = end
    for window in windows {
      right = max(right, windowBar(window, y: y))
    }
    var label = backup.id + (backup.incremental == nil ? "" : " (incremental)")
    if chosen { label += " (chosen by the plan)" }
    label += windows.map { " · " + windowWords($0) }.joined()
    if windows.isEmpty, backup.incremental != nil { label += " · restores nothing alone" }
    rowLabel(label, from: start, to: right, y: y, bold: chosen)
  }

  mutating func windowRow(_ window: RestorableWindow, y: Double) {
    let start = scale.x(window.start)
    let right = windowBar(window, y: y)
    rowLabel(
      "\(window.backupID) along timeline \(window.timeline) · " + windowWords(window), from: start, to: right, y: y,
      bold: false)
  }

  func windowWords(_ window: RestorableWindow) -> String {
    switch window.status {
    case .restorable:
      var words = "window \(window.start)–\(window.end)"
      if window.damage != nil { words += ", ends at damage" }
      if window.chosenByLatest { words += ", latest" }
      return words
    case .incomplete: return "incomplete: WAL missing before consistency"
    case .endUnknown: return "window from \(window.start), consistent point unknown"
    }
  }

  /// Draws a window's bar; returns its right end.
  mutating func windowBar(_ window: RestorableWindow, y: Double) -> Double {
    let start = scale.x(window.start)
    let end = max(scale.x(window.end), start + 3)
    let (fill, stroke, dash): (String, String, String) =
      switch window.status {
      case .restorable: ("#1e88e5", "#1565c0", "")
      case .incomplete: ("#e53935", "#c62828", " stroke-dasharray=\"4 2\"")
      case .endUnknown: ("#9e9e9e", "#616161", " stroke-dasharray=\"4 2\"")
      }
    var title =
      "restorable window of backup \(window.backupID) along timeline \(window.timeline) (\(window.status.rawValue)): \(window.start)"
    title += window.startTime.map { " (\($0))" } ?? ""
    title += " to \(window.end)"
    if let last = window.lastTransaction {
      title += "; last \(last.outcome.rawValue) \(last.transactionID) at \(last.time) (UTC)"
    }
    if let missing = window.firstMissingSegment { title += "; ends where \(missing) is missing" }
    if let damage = window.damage { title += "; ends at damage in \(damage.segment): \(damage.reason)" }
    body +=
      "<g class=\"window\" data-backup=\"\(RepositorySVG.escape(window.backupID))\" data-timeline=\"\(window.timeline)\" "
      + "data-status=\"\(window.status.rawValue)\"><title>\(RepositorySVG.escape(title))</title>"
      + "<rect x=\"\(n(start))\" y=\"\(n(y + 2))\" width=\"\(n(end - start))\" height=\"\(n(Self.rowHeight - 4))\" "
      + "fill=\"\(fill)\" fill-opacity=\"0.3\" stroke=\"\(stroke)\"\(dash)/>"
    if let last = window.lastTransaction {
      let x = scale.x(last.lsn)
      body +=
        "<circle class=\"last-transaction\" cx=\"\(n(x))\" cy=\"\(n(y + Self.rowHeight / 2))\" r=\"3\" "
        + "fill=\"#0d47a1\"/>"
    }
    if window.damage != nil || window.firstMissingSegment != nil {
      body +=
        "<line class=\"window-end\" x1=\"\(n(end))\" y1=\"\(n(y - 1))\" x2=\"\(n(end))\" "
        + "y2=\"\(n(y + Self.rowHeight + 1))\" stroke=\"#c62828\" stroke-width=\"3\"/>"
    }
    body += "</g>\n"
    return end
  }

  /// A row's words: right of its bars when they fit, else left of them, else inside.
  mutating func rowLabel(_ label: String, from start: Double, to end: Double, y: Double, bold: Bool) {
    let width = Double(label.count) * Self.characterWidth
    let weight = bold ? " font-weight=\"bold\"" : ""
    if end + 6 + width <= Self.width - 4 {
      text(label, x: end + 6, y: y + 13, attributes: "class=\"row-label\"\(weight)")
    } else if start - 6 - width >= Self.left - 40 {
      text(label, x: start - 6, y: y + 13, attributes: "class=\"row-label\" text-anchor=\"end\"\(weight)")
    } else {
      // Over the bar, on a white ground so it stays legible.
      let x = max(start + 4, Self.left)
      body +=
        "<rect x=\"\(n(x - 2))\" y=\"\(n(y + 3))\" width=\"\(n(min(width + 4, Self.width - x)))\" height=\"13\" "
        + "fill=\"white\" fill-opacity=\"0.8\"/>"
      text(label, x: x, y: y + 13, attributes: "class=\"row-label\"\(weight)")
    }
  }

  // MARK: Forks and the axis

  mutating func forks(_ centers: [TimelineID: Double]) {
    for summary in catalog.timelines {
      guard let parent = summary.parent, let lsn = summary.switchLSN,
        let from = centers[parent], let to = centers[summary.timeline]
      else { continue }
      let x = scale.x(lsn)
      body +=
        "<g class=\"fork\" data-timeline=\"\(summary.timeline)\" data-parent=\"\(parent)\" data-lsn=\"\(lsn)\">"
        + "<title>\(RepositorySVG.escape("timeline \(summary.timeline) forks from timeline \(parent) at \(lsn)" + (summary.reason.map { ": \($0)" } ?? "")))</title>"
        + "<path d=\"M\(n(x)),\(n(from)) C\(n(x + 30)),\(n(from)) \(n(x - 30)),\(n(to)) \(n(x)),\(n(to))\" "
        + "fill=\"none\" stroke=\"#283593\" stroke-width=\"2\"/>"
        + "<circle cx=\"\(n(x))\" cy=\"\(n(from))\" r=\"4\" fill=\"#283593\"/>"
        + "<circle cx=\"\(n(x))\" cy=\"\(n(to))\" r=\"4\" fill=\"white\" stroke=\"#283593\" stroke-width=\"2\"/>"
        + "</g>\n"
    }
  }

  /// The WAL axis (segment boundaries with their LSN, segment names where they fit) and the
  /// times known along it; returns the bottom.
  mutating func axis(at y: Double) -> Double {
    body += "<g class=\"axis\">"
    body +=
      "<line x1=\"\(n(Self.left))\" y1=\"\(n(y))\" x2=\"\(n(Self.right))\" y2=\"\(n(y))\" stroke=\"#333\"/>"
    text("WAL position", x: 10, y: y + 14, attributes: "fill=\"#333\" font-weight=\"bold\"")
    text("segment", x: 10, y: y + 28, attributes: "fill=\"#333\" font-weight=\"bold\"")
    boundaryTicks(at: y)
    segmentNames(at: y)
    let bottom = timeRow(at: y)
    body += "</g>\n"
    return bottom
  }

  /// A tick and its LSN at every segment boundary that bounds a run, a gap or an unusable
  /// segment.
  private mutating func boundaryTicks(at y: Double) {
    var boundaries = Set<UInt64>()
    for timeline in catalog.archive.timelines {
      for range in timeline.ranges + timeline.gaps {
        boundaries.insert(segmentStart(range.first).rawValue)
        boundaries.insert(segmentEnd(range.last).rawValue)
      }
    }
    for segment in catalog.archive.unusableSegments ?? [] {
      boundaries.insert(segmentStart(segment.name).rawValue)
      boundaries.insert(segmentEnd(segment.name).rawValue)
    }
    var lastLabelEnd = -Double.infinity
    for boundary in boundaries.sorted() {
      let x = scale.x(Double(boundary))
      body += "<line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x))\" y2=\"\(n(y + 5))\" stroke=\"#333\"/>"
      let label = "\(LSN(rawValue: boundary))"
      let width = Double(label.count) * Self.characterWidth
      // Centred under its tick, moved in where it would leave the picture.
      let centre = min(max(x, width / 2 + 2), Self.width - width / 2 - 2)
      if centre - width / 2 > lastLabelEnd + 4 {
        text(label, x: centre, y: y + 16, attributes: "text-anchor=\"middle\" class=\"tick\"")
        lastLabelEnd = centre + width / 2
      }
    }
  }

  /// Segment names (without the timeline: the lane says it) centred in their span.
  private mutating func segmentNames(at y: Double) {
    var segments = Set<UInt64>()
    for timeline in catalog.archive.timelines {
      for range in timeline.ranges + timeline.gaps {
        guard let first = range.first.segmentNumber(size: size), let last = range.last.segmentNumber(size: size)
        else { continue }
        if last - first < 2000 { segments.formUnion(first...last) } else { segments.formUnion([first, last]) }
      }
    }
    var lastLabelEnd = -Double.infinity
    for number in segments.sorted() {
      let start = scale.x(size.startLSN(ofSegment: number))
      let end = scale.x(size.startLSN(ofSegment: number + 1))
      let name = String("\(WALSegmentName(timeline: TimelineID(1), segmentNumber: number, size: size))".dropFirst(8))
      let x = (start + end) / 2
      // The log and segment parts, or the segment part alone where the whole does not fit.
      var label = name
      if Double(label.count) * Self.characterWidth > end - start { label = "…" + name.suffix(8) }
      let width = Double(label.count) * Self.characterWidth
      if x - width / 2 > lastLabelEnd + 6 {
        text(label, x: x, y: y + 30, attributes: "text-anchor=\"middle\" fill=\"#555\" class=\"segment-label\"")
        lastLabelEnd = x + width / 2
      }
    }
  }

  /// Times known along the WAL (restore points, last transactions, backups' stops), in UTC;
  /// returns the bottom of the axis.
  private mutating func timeRow(at y: Double) -> Double {
    var times: [(LSN, PostgresTimestamp)] = restorePoints.map { ($0.lsn, $0.time) }
    times += catalog.windows.compactMap { window in window.lastTransaction.map { ($0.lsn, $0.time) } }
    for backup in catalog.backups {
      if let text = backup.stop?.time, let date = BackupTimestamp(text).date, let lsn = backup.consistentLSN {
        times.append((lsn, PostgresTimestamp(date)))
      }
    }
    var seen = Set<LSN>()
    times = times.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.filter { seen.insert($0.0).inserted }
    var timeRowBottom = y + 36
    if !times.isEmpty {
      text("time (UTC)", x: 10, y: y + 48, attributes: "fill=\"#333\" font-weight=\"bold\"")
      var lastLabelEnd = -Double.infinity
      var lastDate = ""
      for (lsn, time) in times {
        let x = scale.x(lsn)
        let full = time.formatted(utcOffsetSeconds: 0)
        let date = String(full.prefix(10))
        let clock = String(full.dropFirst(11).prefix(8))
        let label = date == lastDate ? clock : "\(date) \(clock)"
        let width = Double(label.count) * Self.characterWidth
        body += "<line x1=\"\(n(x))\" y1=\"\(n(y + 36))\" x2=\"\(n(x))\" y2=\"\(n(y + 40))\" stroke=\"#333\"/>"
        if x - width / 2 > lastLabelEnd + 6 {
          text(label, x: x, y: y + 50, attributes: "text-anchor=\"middle\" class=\"time\"")
          lastLabelEnd = x + width / 2
          lastDate = date
        }
      }
      timeRowBottom = y + 56
    }
    return timeRowBottom
  }

  // MARK: Helpers

  mutating func text(_ content: String, x: Double, y: Double, attributes: String = "") {
    body +=
      "<text x=\"\(n(x))\" y=\"\(n(y))\"\(attributes.isEmpty ? "" : " " + attributes)>\(RepositorySVG.escape(content))</text>\n"
  }

  /// An XML id from `base`: letters, digits, `-` and `_` kept, the rest `_`; made unique.
  mutating func uniqueID(_ base: String) -> String {
    var id = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
    if id.first?.isLetter != true { id = "x" + id }
    var candidate = id
    var counter = 2
    while !usedIDs.insert(candidate).inserted {
      candidate = "\(id)-\(counter)"
      counter += 1
    }
    return candidate
  }

  /// A coordinate with one decimal, the same bytes on every machine.
  func n(_ value: Double) -> String {
    let tenths = Int64((value * 10).rounded())
    let sign = tenths < 0 ? "-" : ""
    let magnitude = abs(tenths)
    return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
  }
}
