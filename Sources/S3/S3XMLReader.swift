import Foundation

/// A small XML reader for the documents S3 answers with (ListBucketResult, Error): elements,
/// their text with the five predefined entities and numeric character references decoded,
/// CDATA sections as text; attributes, comments and the XML declaration are skipped. A DOCTYPE
/// (and so any other entity) is refused, as are mismatched or unclosed tags and text outside
/// the root element. It replaces Foundation's XMLParser so that pitr does not load libxml2.
enum S3XMLReader {
  /// The document is not well-formed XML this reader accepts.
  struct Malformed: Error, Equatable {}

  /// Every element of the document, parents after their children; each element's text is
  /// all of its own character data (children's excluded), its children's texts by name.
  static func elements(_ data: Data) throws(Malformed) -> [S3XML.Element] {
    var reader = Reader(bytes: [UInt8](data))
    try reader.run()
    return reader.elements
  }

  private struct Reader {
    let bytes: [UInt8]
    var index = 0
    var stack: [S3XML.Element] = []
    var elements: [S3XML.Element] = []
    var sawRoot = false

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func run() throws(Malformed) {
      while index < bytes.count {
        if bytes[index] != UInt8(ascii: "<") {
          let end = find([UInt8(ascii: "<")]) ?? bytes.count
          try addText(decode(bytes[index..<end]), raw: bytes[index..<end])
          index = end
        } else if starts("<?") {
          index = try after("?>")
        } else if starts("<!--") {
          index = try after("-->")
        } else if starts("<![CDATA[") {
          let end = try after("]]>")
          let text = bytes[(index + 9)..<(end - 3)]
          try addText(String(decoding: text, as: UTF8.self), raw: text)
          index = end
        } else if starts("<!") {
          throw Malformed()  // a DOCTYPE: S3 sends none
        } else if starts("</") {
          try endTag()
        } else {
          try startTag()
        }
      }
      guard stack.isEmpty, sawRoot else { throw Malformed() }
    }

    /// Text inside an element is kept; outside the root only white space may appear.
    mutating func addText(_ text: String, raw: ArraySlice<UInt8>) throws(Malformed) {
      if stack.isEmpty {
        guard raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { throw Malformed() }
      } else {
        stack[stack.count - 1].text += text
      }
    }

    mutating func startTag() throws(Malformed) {
      var cursor = index + 1
      while cursor < bytes.count, !Self.endsName(bytes[cursor]) { cursor += 1 }
      let name = String(decoding: bytes[(index + 1)..<cursor], as: UTF8.self)
      guard !name.isEmpty, !(stack.isEmpty && sawRoot) else { throw Malformed() }
      var selfClosing = false
      var quote: UInt8?
      while true {
        guard cursor < bytes.count else { throw Malformed() }
        let byte = bytes[cursor]
        cursor += 1
        if let open = quote {
          if byte == open { quote = nil }
        } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
          quote = byte
        } else if byte == UInt8(ascii: ">") {
          break
        } else if byte == UInt8(ascii: "<") {
          throw Malformed()
        } else {
          selfClosing = byte == UInt8(ascii: "/")
        }
      }
      index = cursor
      sawRoot = true
      stack.append(S3XML.Element(path: (stack.last?.path ?? []) + [name], text: "", children: [:]))
      if selfClosing { close() }
    }

    mutating func endTag() throws(Malformed) {
      guard let end = find([UInt8(ascii: ">")]) else { throw Malformed() }
      let name = String(decoding: bytes[(index + 2)..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
      guard let open = stack.last, open.path.last == name else { throw Malformed() }
      close()
      index = end + 1
    }

    mutating func close() {
      let element = stack.removeLast()
      if !stack.isEmpty { stack[stack.count - 1].children[element.path.last!] = element.text }
      elements.append(element)
    }

    static func endsName(_ byte: UInt8) -> Bool {
      byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == UInt8(ascii: "/")
        || byte == UInt8(ascii: ">")
    }

    func starts(_ text: StaticString) -> Bool {
      let count = text.utf8CodeUnitCount
      guard index + count <= bytes.count else { return false }
      return (0..<count).allSatisfy { bytes[index + $0] == text.utf8Start[$0] }
    }

    /// The index of the first occurrence of `pattern` at or after ``index``.
    func find(_ pattern: [UInt8]) -> Int? {
      guard pattern.count <= bytes.count else { return nil }
      var cursor = index
      while cursor + pattern.count <= bytes.count {
        if bytes[cursor] == pattern[0], bytes[cursor..<(cursor + pattern.count)].elementsEqual(pattern) {
          return cursor
        }
        cursor += 1
      }
      return nil
    }

    /// The index just past the first `terminator` after ``index``.
    func after(_ terminator: String) throws(Malformed) -> Int {
      let pattern = Array(terminator.utf8)
      guard let at = find(pattern) else { throw Malformed() }
      return at + pattern.count
    }
  }

  /// Character data with its references decoded: `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`,
  /// `&#NNN;` and `&#xHHH;`; any other `&` is malformed.
  static func decode(_ bytes: ArraySlice<UInt8>) throws(Malformed) -> String {
    guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var cursor = bytes.startIndex
    while cursor < bytes.endIndex {
      guard bytes[cursor] == UInt8(ascii: "&") else {
        out.append(bytes[cursor])
        cursor += 1
        continue
      }
      guard let semicolon = bytes[cursor...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw Malformed() }
      let name = String(decoding: bytes[(cursor + 1)..<semicolon], as: UTF8.self)
      out += Array(try character(name).utf8)
      cursor = semicolon + 1
    }
    return String(decoding: out, as: UTF8.self)
  }

  private static func character(_ name: String) throws(Malformed) -> String {
    switch name {
    case "amp": return "&"
    case "lt": return "<"
    case "gt": return ">"
    case "quot": return "\""
    case "apos": return "'"
    default:
      var value: UInt32?
      if name.hasPrefix("#x") || name.hasPrefix("#X") {
        value = UInt32(name.dropFirst(2), radix: 16)
      } else if name.hasPrefix("#") {
        value = UInt32(name.dropFirst(), radix: 10)
      }
      guard let value, value != 0, let scalar = Unicode.Scalar(value) else { throw Malformed() }
      return String(Character(scalar))
    }
  }
}
