import Foundation
import Testing

/// Compares text with a golden file `Snapshots/<name>.txt` beside the calling test file.
///
/// A missing golden file is written and the test fails ("recorded"); with `RECORD_SNAPSHOTS=1`
/// every golden file is rewritten. Line endings are normalised and a difference is shown as
/// the first lines that differ.
public func expectSnapshot(
  _ actual: String, named name: String, filePath: String = #filePath,
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    .appendingPathComponent("Snapshots")
  let file = directory.appendingPathComponent("\(name).txt")
  let normalized = actual.replacingOccurrences(of: "\r\n", with: "\n")
  let recording = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
  guard !recording, let expected = try? String(contentsOf: file, encoding: .utf8) else {
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? Data(normalized.utf8).write(to: file)
    Issue.record("recorded a new snapshot \(file.path); check it and run again", sourceLocation: sourceLocation)
    return
  }
  guard expected != normalized else { return }
  let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let actualLines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
  var report = "snapshot \(name) differs (RECORD_SNAPSHOTS=1 rewrites it):\n"
  var shown = 0
  for index in 0..<max(expectedLines.count, actualLines.count) where shown < 8 {
    let old = index < expectedLines.count ? String(expectedLines[index]) : "<none>"
    let new = index < actualLines.count ? String(actualLines[index]) : "<none>"
    if old != new {
      report += "line \(index + 1):\n  – \(old)\n  + \(new)\n"
      shown += 1
    }
  }
  Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
}
