import Foundation

extension PostgresLab {
  /// The WAL archive of a lab: the folder its servers' `archive_command` fills, in one of
  /// the ``PostgresLab/ArchiveLayout``s, and the `restore_command` that reads it back.
  public struct Archive: Sendable {
    /// The archive's folder.
    public let directory: String
    /// How files are named and placed in it.
    public let layout: ArchiveLayout
    /// Where archive commands write a file before renaming it into the archive.
    let spoolDirectory: String
    /// Where the dated layout's two scripts and its day file live.
    let scriptsDirectory: String

    init(
      directory: String, layout: ArchiveLayout, spoolDirectory: String,
      scriptsDirectory: String
    ) {
      self.directory = directory
      self.layout = layout
      self.spoolDirectory = spoolDirectory
      self.scriptsDirectory = scriptsDirectory
    }

    // MARK: - Commands

    /// The `archive_command` that files into this archive.
    var archiveCommand: String {
      switch layout {
      case .plainFlat: "cp %p \(spoolDirectory)/%f && mv \(spoolDirectory)/%f \(directory)/%f"
      case .gzipFlat:
        "gzip < %p > \(spoolDirectory)/%f.gz && mv \(spoolDirectory)/%f.gz \(directory)/%f.gz"
      case .gzipDated, .zstdDated, .lz4Dated: "\(scriptsDirectory)/archive-wal %p %f"
      case .zstdFlat:
        "zstd -q -f %p -o \(spoolDirectory)/%f.zst && mv \(spoolDirectory)/%f.zst \(directory)/%f.zst"
      case .lz4Flat:
        "lz4 -q -f %p \(spoolDirectory)/%f.lz4 && mv \(spoolDirectory)/%f.lz4 \(directory)/%f.lz4"
      }
    }

    /// The `restore_command` that reads this archive; it fails for files the archive lacks.
    var restoreCommand: String {
      switch layout {
      case .plainFlat: "cp \(directory)/%f %p"
      case .gzipFlat: "test -f \(directory)/%f.gz && gunzip < \(directory)/%f.gz > %p"
      case .gzipDated, .zstdDated, .lz4Dated: "\(scriptsDirectory)/restore-wal %f %p"
      case .zstdFlat: "test -f \(directory)/%f.zst && zstd -q -d -c \(directory)/%f.zst > %p"
      case .lz4Flat: "test -f \(directory)/%f.lz4 && lz4 -q -d -c \(directory)/%f.lz4 > %p"
      }
    }

    /// The file naming the day folder the dated layout files into; today's UTC date without it.
    var dayFile: String { "\(scriptsDirectory)/archive-day" }

    /// Creates the folders (owned by `postgres`) and, for the dated layout, its scripts.
    func install() throws {
      for path in [directory, spoolDirectory, scriptsDirectory] {
        try PostgresLab.makePostgresDirectory(path)
      }
      guard layout.isDated else { return }
      let suffix = layout.suffix
      let (compress, decompress) =
        switch layout {
        case .zstdDated: ("zstd -q -f \"$1\" -o", "zstd -q -d -c \"$file\" >")
        case .lz4Dated: ("lz4 -q -f \"$1\"", "lz4 -q -d -c \"$file\" >")
        default: ("gzip < \"$1\" >", "gunzip < \"$file\" >")
        }
      let archiveScript = """
        #!/bin/sh
        # archive_command: files WAL file $2 (at path $1) compressed into a folder for the day.
        set -e
        day=$(cat \(dayFile) 2>/dev/null) || day=$(date -u +%F)
        mkdir -p \(directory)/"$day"
        \(compress) \(spoolDirectory)/"$2"\(suffix)
        mv \(spoolDirectory)/"$2"\(suffix) \(directory)/"$day"/"$2"\(suffix)

        """
      let restoreScript = """
        #!/bin/sh
        # restore_command: decompresses $1\(suffix) from the latest day folder holding it into $2.
        for file in \(directory)/*/"$1"\(suffix); do :; done
        test -f "$file" || exit 1
        \(decompress) "$2"

        """
      for (name, text) in [("archive-wal", archiveScript), ("restore-wal", restoreScript)] {
        let path = "\(scriptsDirectory)/\(name)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
      }
    }

    // MARK: - Contents

    /// The name a file has on disk: `<name>.gz` (`.zst`, `.lz4`) when the layout compresses.
    public func storedName(of name: String) -> String {
      name + layout.suffix
    }

    /// Where the archived file `name` (a WAL file name such as `00000002.history`) is.
    ///
    /// - Returns: The path, or nil when it has not been archived (yet). In the dated layout
    ///   the latest day holding it wins.
    public func path(of name: String) -> String? {
      let stored = storedName(of: name)
      let candidates =
        layout.isDated
        ? dayFolders().reversed().map { "\(directory)/\($0)/\(stored)" }
        : ["\(directory)/\(stored)"]
      return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Every file in the archive, as paths relative to it (`2025-07-01/…gz` in the dated
    /// layout), sorted.
    public func storedPaths() -> [String] {
      guard layout.isDated else { return Self.files(in: directory) }
      return dayFolders().flatMap { day in
        Self.files(in: "\(directory)/\(day)").map { "\(day)/\($0)" }
      }
    }

    /// The WAL file names the archive holds (without folders or `.gz`), sorted.
    public func fileNames() -> [String] {
      storedPaths().map { path in
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return layout.isCompressed && name.hasSuffix(layout.suffix)
          ? String(name.dropLast(layout.suffix.count)) : name
      }.sorted()
    }

    /// The day folders of the dated layout (`YYYY-MM-DD`), oldest first; empty otherwise.
    public func dayFolders() -> [String] {
      guard layout.isDated else { return [] }
      let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
      return names.filter { $0.count == 10 && $0.split(separator: "-").count == 3 }.sorted()
    }

    /// Waits until `name` is in the archive, polling every 5 ms.
    ///
    /// - Returns: The archived file's path.
    /// - Throws: ``FixtureError`` listing the archive when `timeout` seconds pass first.
    @discardableResult
    public func waitUntilArchived(_ name: String, timeout: Double = 30) throws -> String {
      let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int64(timeout * 1000)))
      while true {
        if let path = path(of: name) { return path }
        guard ContinuousClock.now < deadline else {
          throw FixtureError(
            "\(name) was not archived within \(timeout) s; the archive holds "
              + "\(storedPaths())")
        }
        usleep(5_000)
      }
    }

    // MARK: - Writing

    /// Makes the dated layout file everything archived from now on into the folder `day`.
    ///
    /// `day` is `YYYY-MM-DD`; nil goes back to today's UTC date. Wait until what should go
    /// into the previous day is archived before calling it.
    public func setDay(_ day: String?) throws {
      if let day {
        try Data("\(day)\n".utf8).write(to: URL(fileURLWithPath: dayFile))
      } else {
        try? FileManager.default.removeItem(atPath: dayFile)
      }
    }

    /// The day folder the dated layout files into now.
    public func currentDay() -> String {
      if let text = try? String(contentsOfFile: dayFile, encoding: .utf8) {
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
      }
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyy-MM-dd"
      return formatter.string(from: Date())
    }

    /// Puts `bytes` into the archive as the file `name`, as the archive command would have.
    ///
    /// The file is compressed and named `<name>.gz` (`.zst`, `.lz4`) when the layout
    /// compresses, and put in the current day folder in the dated layouts. For stray or damaged files a test wants the
    /// archive to hold.
    ///
    /// - Returns: The path written.
    @discardableResult
    public func write(_ bytes: [UInt8], as name: String) throws -> String {
      var folder = directory
      if layout.isDated {
        folder = "\(directory)/\(currentDay())"
        try PostgresLab.makePostgresDirectory(folder)
      }
      let path = "\(folder)/\(storedName(of: name))"
      let stored: [UInt8] =
        switch layout {
        case .plainFlat: bytes
        case .gzipFlat, .gzipDated: try gzip(bytes)
        case .zstdFlat, .zstdDated: try zstd(bytes)
        case .lz4Flat, .lz4Dated: try lz4(bytes)
        }
      try Data(stored).write(to: URL(fileURLWithPath: path))
      try PostgresLab.giveToPostgres(path)
      return path
    }

    /// Puts a timeline history file `<timeline as 8 hex digits>.history` holding `contents`
    /// into the archive (see ``write(_:as:)``), such as a stray history file from a restore
    /// that has nothing to do with the backups.
    @discardableResult
    public func writeHistoryFile(timeline: UInt32, contents: String) throws -> String {
      try write(Array(contents.utf8), as: Self.historyFileName(timeline: timeline))
    }

    /// `00000002.history` for timeline 2.
    public static func historyFileName(timeline: UInt32) -> String {
      let hex = String(timeline, radix: 16, uppercase: true)
      return String(repeating: "0", count: max(0, 8 - hex.count)) + hex + ".history"
    }

    /// The archived file `name`, decompressed when the layout compresses, as the file
    /// `<directory>/<name>`, for programs such as `pg_waldump` that read plain files.
    ///
    /// - Returns: The copy's path.
    public func decompressedCopy(of name: String, into directory: String) throws -> String {
      guard let source = path(of: name) else {
        throw FixtureError("\(name) is not in the archive; it holds \(storedPaths())")
      }
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
      let target = "\(directory)/\(name)"
      try copyDecompressing(source, to: target)
      return target
    }

    private static func files(in directory: String) -> [String] {
      ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
  }
}
