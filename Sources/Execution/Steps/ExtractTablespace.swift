import Catalog
import Compiler
import Foundation

/// `extract-tablespace`: `extract-base` wrote the tablespace; this checks it went where the
/// plan says. A plain backup's `pg_tblspc/<oid>` link points at the new location; a tar
/// backup has no such link (PostgreSQL makes it from `tablespace_map` when it starts), so
/// there the rewritten `tablespace_map` must name the new location.
struct ExtractTablespace {
  let payload: StepAction.ExtractTablespace

  func run(_ step: Step, in context: StepContext) throws {
    let data = payload.dataDirectory
    let link = "\(data)/pg_tblspc/\(payload.oid)"
    let points = try? FileManager.default.destinationOfSymbolicLink(atPath: link)
    if points == payload.location { return }
    if let points {
      throw RunnerError("\(link) points to \(points), not \(payload.location), after extraction")
    }
    let mapText = (try? String(contentsOfFile: "\(data)/tablespace_map", encoding: .utf8)) ?? ""
    let mapped = (try? TablespaceMap(parsing: mapText))?.entries.first { $0.oid == payload.oid }?.path
    guard mapped == payload.location else {
      throw RunnerError(
        "\(link) is no link and \(data)/tablespace_map maps tablespace \(payload.oid) to "
          + "\(mapped ?? "nothing"), not \(payload.location), after extraction")
    }
  }
}
