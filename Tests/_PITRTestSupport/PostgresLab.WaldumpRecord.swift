extension PostgresLab {
  /// One record as `pg_waldump` (15) prints it, for comparing our WAL reader with PostgreSQL's.
  ///
  ///     rmgr: Transaction len (rec/tot):     34/    34, tx:        727, lsn: 0/03002FA8,
  ///       prev 0/03002E68, desc: COMMIT 2026-11-22 16:44:12.996732 UTC
  public struct WaldumpRecord: Sendable, Hashable {
    /// The resource manager's name (`Transaction`, `Heap`, `XLOG`, …).
    public var resourceManager: String
    /// `xl_tot_len` without the block images (`rec`).
    public var recordLength: Int
    /// `xl_tot_len` (`tot`).
    public var totalLength: Int
    /// `xl_xid`; 0 for records outside a transaction.
    public var transactionID: UInt32
    /// Where the record starts.
    public var lsn: UInt64
    /// `xl_prev`.
    public var previousLSN: UInt64
    /// Everything after `desc: `, such as `COMMIT 2026-11-22 16:44:12.996732 UTC`.
    public var description: String

    /// Parses one line of `pg_waldump`'s output; nil for lines that are not records.
    public init?(line text: some StringProtocol) {
      let line = String(text)
      guard line.hasPrefix("rmgr: "), let descRange = line.range(of: ", desc: ") else {
        return nil
      }
      description = String(line[descRange.upperBound...])
      let fields = line[..<descRange.lowerBound].split(whereSeparator: { $0 == " " || $0 == "," })
      // rmgr: NAME len (rec/tot): R/ T tx: X lsn: L prev P
      func value(after key: String) -> Substring? {
        guard let index = fields.firstIndex(where: { $0 == key }), index + 1 < fields.count
        else { return nil }
        return fields[index + 1]
      }
      guard let name = value(after: "rmgr:"),
        let lengths = fields.firstIndex(where: { $0 == "(rec/tot):" }),
        lengths + 1 < fields.count,
        let xid = value(after: "tx:").flatMap({ UInt32($0) }),
        let lsn = value(after: "lsn:").flatMap({ PostgresLab.lsn(String($0)) }),
        let previous = value(after: "prev").flatMap({ PostgresLab.lsn(String($0)) })
      else { return nil }
      // "34/" "34" or "34/34", depending on padding.
      let joined = fields[(lengths + 1)...].prefix(2).joined()
      let parts = joined.split(separator: "/")
      guard parts.count >= 2, let record = Int(parts[0]),
        let total = Int(parts[1].prefix { $0.isNumber })
      else { return nil }
      resourceManager = String(name)
      recordLength = record
      totalLength = total
      transactionID = xid
      self.lsn = lsn
      previousLSN = previous
    }

    /// For a `Transaction` COMMIT or ABORT record, the time `pg_waldump` prints for it
    /// (`2026-11-22 16:44:12.996732 UTC` when `TZ` is UTC, as in labs); nil otherwise.
    public var transactionTime: String? {
      guard resourceManager == "Transaction" else { return nil }
      for keyword in ["COMMIT ", "ABORT "] where description.hasPrefix(keyword) {
        let rest = description.dropFirst(keyword.count)
        // The time is the first three words: date, clock time, zone; details may follow ";".
        let words = rest.split(separator: " ", maxSplits: 3)
        guard words.count >= 3 else { return nil }
        let zone = words[2].hasSuffix(";") ? words[2].dropLast() : words[2]
        return "\(words[0]) \(words[1]) \(zone)"
      }
      return nil
    }

    /// Whether this is the COMMIT record of a plain (not prepared) transaction.
    public var isCommit: Bool {
      resourceManager == "Transaction" && description.hasPrefix("COMMIT ")
    }
  }
}
