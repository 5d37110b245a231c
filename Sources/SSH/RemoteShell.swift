/// The POSIX `sh` commands run on the remote host (its login shell must be a POSIX shell, as
/// for pgBackRest and Barman), and how their output and exit statuses are read.
///
/// Every script checks its path first and exits with a status of its own, so a missing path
/// is told apart from a failing command without reading translated messages; `LC_ALL=C` keeps
/// the rest of the messages in English.
enum RemoteShell {
  /// Exit status of a script whose path does not exist.
  static let missing: Int32 = 44
  /// Exit status of a script whose path is not a folder (listing) or not a file (reading).
  static let wrongKind: Int32 = 45
  /// Exit status of a script whose file the remote user cannot read.
  static let unreadable: Int32 = 46

  /// `text` as one shell word: in single quotes, each `'` written as `'\''`.
  static func quote(_ text: String) -> String {
    "'" + text.replacingAll("'", with: "'\\''") + "'"
  }

  /// A path as `find` and the other commands take it: one starting with `-` gets `./` so it is
  /// not read as an option.
  static func safePath(_ path: String) -> String {
    path.hasPrefix("-") ? "./" + path : path
  }

  /// The folder as passed to `find`, ending with `/` so a link to a folder is followed.
  static func listingRoot(_ path: String) -> String {
    let safe = safePath(path)
    return safe.hasSuffix("/") ? safe : safe + "/"
  }

  /// Lists the regular files below `path` (links to files followed, links to folders not, as
  /// the local walker does, so a loop cannot hang it), each as `SIZE SECONDS.FRACTION PATH`
  /// and a NUL: any byte but NUL may be in a name.
  /// With `named`, only files called `named` or `named.SUFFIX`.
  static func listScript(_ path: String, named: String? = nil) -> String {
    let filter = named.map { "\\( -name \(quote($0)) -o -name \(quote($0 + ".*")) \\) \\( " } ?? ""
    return "export LC_ALL=C; p=\(quote(safePath(path))); r=\(quote(listingRoot(path))); "
      + "[ -e \"$p\" ] || exit \(missing); [ -d \"$p\" ] || exit \(wrongKind); "
      + "find \"$r\" \(filter)-type f -printf '%s %T@ %p\\0' "
      + "-o -type l -xtype f -exec stat -L --printf '%s %.9Y %n\\0' {} +\(named == nil ? "" : " \\)")"
  }

  /// Writes the bytes of the file at `path` from `offset` on, at most `count` of them when
  /// given.
  static func readScript(_ path: String, from offset: Int64, count: Int64? = nil) -> String {
    var script =
      "export LC_ALL=C; p=\(quote(safePath(path))); [ -e \"$p\" ] || exit \(missing); "
      + "[ -f \"$p\" ] || exit \(wrongKind); [ -r \"$p\" ] || exit \(unreadable); "
    let tail = offset == 0 ? "cat -- \"$p\"" : "tail -c +\(offset + 1) -- \"$p\""
    if let count {
      script += "\(tail) | head -c \(count)"
    } else {
      script += "exec \(tail)"
    }
    return script
  }

  /// Writes the first `count` bytes of each file, one after another, in one command; stops
  /// with `head`'s status at the first file it cannot read (the caller then reads them one
  /// by one, for each one's own message).
  static func readStartsScript(_ paths: [String], count: Int64) -> String {
    "export LC_ALL=C; for p in \(paths.map { quote(safePath($0)) }.joined(separator: " ")); do "
      + "head -c \(count) -- \"$p\" || exit 1; done"
  }

  /// Writes each file whole, one after another, in one command, each followed by `trailer`:
  /// a file is written only when it is a readable regular file of the size given (the
  /// listing's), so the reader splits the stream by those sizes; the command stops with
  /// status 1 at the first that is not. The trailer (ASCII letters and digits) tells the
  /// reader a file that shrank between its size check and its read, which would otherwise
  /// shift every file after it.
  static func readWholeScript(_ files: [(path: String, size: Int64)], trailer: String) -> String {
    "export LC_ALL=C; f() { [ -f \"$2\" ] && [ -r \"$2\" ] && "
      + "[ \"$(stat -L -c %s -- \"$2\")\" = \"$1\" ] || exit 1; head -c \"$1\" -- \"$2\" || exit 1; "
      + "printf %s \(trailer); }; "
      + files.map { "f \($0.size) \(quote(safePath($0.path)))" }.joined(separator: "; ")
  }

  /// Writes the folder `path` as one tar archive (`tar -cf - -C PATH .`): every file, folder
  /// and link below it (links not followed), in one stream instead of one command per file.
  static func archiveScript(_ path: String) -> String {
    "export LC_ALL=C; p=\(quote(safePath(path))); [ -e \"$p\" ] || exit \(missing); "
      + "[ -d \"$p\" ] || exit \(wrongKind); [ -r \"$p\" ] || exit \(unreadable); "
      + "exec tar -cf - -C \"$p\" ."
  }

  /// The listing's records: each `SIZE SECONDS.FRACTION PATH` ended by a NUL, the path made
  /// relative to `root` (``listingRoot(_:)``).
  static func parseListing(_ bytes: [UInt8], root: String) -> [RemoteFile] {
    var files: [RemoteFile] = []
    for record in bytes.split(separator: 0, omittingEmptySubsequences: true) {
      let fields = record.split(separator: UInt8(ascii: " "), maxSplits: 2)
      guard fields.count == 3,
        let size = Int64(String(decoding: fields[0], as: UTF8.self)),
        let modified = nanoseconds(String(decoding: fields[1], as: UTF8.self))
      else { continue }
      var path = String(decoding: fields[2], as: UTF8.self)
      if path.hasPrefix(root) { path.removeFirst(root.count) }
      files.append(RemoteFile(path: path, size: size, modified: modified))
    }
    return files.sorted { $0.path < $1.path }
  }

  /// `1751328000.1234567890` (seconds since 1970) in nanoseconds: `1751328000123456789`.
  static func nanoseconds(_ text: String) -> Int64? {
    let negative = text.hasPrefix("-")
    let unsigned = negative ? text.dropFirst() : Substring(text)
    let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let seconds = Int64(parts[0]) else { return nil }
    var fraction = parts.count > 1 ? String(parts[1].prefix(9)) : ""
    guard fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber) else { return nil }
    fraction += String(repeating: "0", count: 9 - fraction.count)
    let total = seconds * 1_000_000_000 + (Int64(fraction) ?? 0)
    return negative ? -total : total
  }
}

extension String {
  /// This string with every `target` replaced by `replacement` (no Foundation needed).
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var result = ""
    for character in self {
      if character == target { result += replacement } else { result.append(character) }
    }
    return result
  }
}
