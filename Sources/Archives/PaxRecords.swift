/// The key-value records of a pax extended header (`x`) or global header (`g`).
///
/// Each record is `"<length> <key>=<value>\n"`, where the decimal length counts the whole record,
/// its own digits and the newline included. An empty value removes the key (for an `x` header,
/// it cancels a global value for that one entry).
struct PaxRecords {
  /// The records, later ones replacing earlier ones with the same key.
  private(set) var values: [String: String] = [:]

  /// Parses the data of a pax header; nil when a record is malformed.
  ///
  /// Trailing NUL bytes after the last record are allowed.
  static func parse(_ data: [UInt8]) -> [(key: String, value: String)]? {
    var records: [(key: String, value: String)] = []
    var start = 0
    while start < data.count {
      if data[start...].allSatisfy({ $0 == 0 }) { break }
      var cursor = start
      var length = 0
      while cursor < data.count, (0x30...0x39).contains(data[cursor]), length < 1 << 30 {
        length = length * 10 + Int(data[cursor] - 0x30)
        cursor += 1
      }
      let end = start + length
      guard cursor > start, cursor < data.count, data[cursor] == 0x20, end <= data.count,
        end > cursor + 1, data[end - 1] == 0x0A,
        let equals = data[(cursor + 1)..<(end - 1)].firstIndex(of: 0x3D), equals > cursor + 1
      else { return nil }
      let key = String(decoding: data[(cursor + 1)..<equals], as: UTF8.self)
      let value = String(decoding: data[(equals + 1)..<(end - 1)], as: UTF8.self)
      records.append((key, value))
      start = end
    }
    return records
  }

  /// Applies parsed records: a non-empty value sets its key, an empty one removes it.
  mutating func apply(_ records: [(key: String, value: String)]) {
    for (key, value) in records {
      values[key] = value.isEmpty ? nil : value
    }
  }

  /// These records with `local` (an entry's own records) applied over them, where an empty
  /// local value removes the key.
  func overridden(by local: [(key: String, value: String)]) -> PaxRecords {
    var merged = self
    merged.apply(local)
    return merged
  }

  subscript(key: String) -> String? { values[key] }
}
