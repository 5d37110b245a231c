import CYaml
import PlanModel

/// Builds a `YAMLNode` tree from libyaml's event stream, reporting problems as diagnostics.
///
/// We read events rather than use `Yams.compose` because compose stops at the first duplicate
/// key and locates it at the key's first occurrence, and because a plan needs limits no
/// YAML library sets for it: nesting depth and how far aliases may expand.
struct YAMLComposer {
  /// Deeper than this is not a plan (a real one nests 5 levels).
  static let maximumDepth = 64
  /// More values than this, counting every alias expansion, is not a plan either.
  static let maximumNodeCount = 100_000

  static let tooDeep = "the plan nests deeper than \(maximumDepth) levels; a plan needs at most 5"

  /// The root node, or `nil` when there is no usable document; and every problem found.
  static func compose(_ source: SourceText) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
    let composer = EventComposer(source: source)
    let root = composer.composeDocument()
    return (root, composer.diagnostics)
  }
}

/// Thrown to stop composing after a problem that makes the rest of the stream meaningless.
private struct CompositionStopped: Error {}

/// The stateful part: one libyaml parser over one file.
private final class EventComposer {
  let source: SourceText
  var diagnostics: [Diagnostic] = []
  private var parser = yaml_parser_t()
  private let bytes: [UInt8]
  private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
  private var nodeCount = 0

  init(source: SourceText) {
    self.source = source
    self.bytes = Array(source.text.utf8)
  }

  func composeDocument() -> YAMLNode? {
    yaml_parser_initialize(&parser)
    defer { yaml_parser_delete(&parser) }
    return bytes.withUnsafeBufferPointer { buffer -> YAMLNode? in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      do {
        var event = try nextEvent()  // stream start
        event = try nextEvent()
        guard event.type == YAML_DOCUMENT_START_EVENT else {
          diagnostics.append(
            .error(
              "the plan file is empty; a plan starts with 'version: 1'",
              at: SourceLocation(file: source.file, line: 1, column: 1)))
          return nil
        }
        let root = try composeNode(from: try nextEvent(), depth: 1)
        _ = try nextEvent()  // document end
        let after = try nextEvent()
        if after.type == YAML_DOCUMENT_START_EVENT {
          diagnostics.append(
            .error(
              "a plan file holds one YAML document; remove this second one (or the '---' line)",
              at: after.start))
        }
        return root
      } catch {
        return nil
      }
    }
  }

  // MARK: - Nodes

  private func composeNode(from event: Event, depth: Int) throws -> YAMLNode {
    if depth > YAMLComposer.maximumDepth {
      diagnostics.append(.error(YAMLComposer.tooDeep, at: event.start))
      throw CompositionStopped()
    }
    switch event.type {
    case YAML_ALIAS_EVENT:
      return try resolveAlias(event)
    case YAML_SCALAR_EVENT:
      let node = YAMLNode(content: .scalar(scalar(from: event)), location: event.start)
      try count(1, at: event.start)
      register(anchor: event.anchor, node: node, size: 1)
      return node
    case YAML_SEQUENCE_START_EVENT:
      checkTag(event.tag, at: event.start)
      let before = nodeCount
      try count(1, at: event.start)
      var items: [YAMLNode] = []
      var next = try nextEvent()
      while next.type != YAML_SEQUENCE_END_EVENT {
        items.append(try composeNode(from: next, depth: depth + 1))
        next = try nextEvent()
      }
      let node = YAMLNode(content: .sequence(items), location: event.start)
      register(anchor: event.anchor, node: node, size: nodeCount - before)
      return node
    case YAML_MAPPING_START_EVENT:
      checkTag(event.tag, at: event.start)
      let before = nodeCount
      try count(1, at: event.start)
      let node = YAMLNode(
        content: .mapping(try composePairs(depth: depth)), location: event.start)
      register(anchor: event.anchor, node: node, size: nodeCount - before)
      return node
    default:
      diagnostics.append(.error("unexpected YAML structure here", at: event.start))
      throw CompositionStopped()
    }
  }

  private func composePairs(depth: Int) throws -> [YAMLPair] {
    var pairs: [YAMLPair] = []
    var firstLocations: [String: SourceLocation] = [:]
    var next = try nextEvent()
    while next.type != YAML_MAPPING_END_EVENT {
      let key = try composeNode(from: next, depth: depth + 1)
      let value = try composeNode(from: try nextEvent(), depth: depth + 1)
      next = try nextEvent()
      guard let keyScalar = key.scalar else {
        diagnostics.append(
          .error("a key must be plain text, not \(key.kindDescription)", at: key.location))
        continue
      }
      if let first = firstLocations[keyScalar.text] {
        diagnostics.append(
          .error(
            "duplicate key '\(keyScalar.text)'; a key may appear only once in a mapping",
            at: key.location,
            notes: [.init("the first '\(keyScalar.text)' is here", at: first)]))
        continue
      }
      firstLocations[keyScalar.text] = key.location
      pairs.append(YAMLPair(key: keyScalar.text, keyLocation: key.location, value: value))
    }
    return pairs
  }

  private func scalar(from event: Event) -> YAMLScalar {
    let style: YAMLScalar.Style =
      switch event.scalarStyle {
      case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
      case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
      case YAML_LITERAL_SCALAR_STYLE: .literal
      case YAML_FOLDED_SCALAR_STYLE: .folded
      default: .plain
      }
    var forcedString = false
    if let tag = event.tag {
      if tag == "tag:yaml.org,2002:str" {
        forcedString = true
      } else {
        checkTag(tag, at: event.start)
      }
    }
    return YAMLScalar(
      text: event.scalarValue, style: style, start: event.start, end: event.end,
      forcedString: forcedString)
  }

  /// Standard tags (`!!int`, `!!map`, …) change nothing here; any other tag is an error.
  private func checkTag(_ tag: String?, at location: SourceLocation) {
    guard let tag, !tag.hasPrefix("tag:yaml.org,2002:") else { return }
    diagnostics.append(
      .error("YAML tags are not supported in plans ('\(tag)'); remove the tag", at: location))
  }

  // MARK: - Anchors and aliases

  private func register(anchor: String?, node: YAMLNode, size: Int) {
    if let anchor { anchors[anchor] = (node, size) }
  }

  private func resolveAlias(_ event: Event) throws -> YAMLNode {
    let name = event.aliasAnchor
    guard let (node, size) = anchors[name] else {
      diagnostics.append(
        .error("unknown alias '*\(name)'; define '&\(name)' before using it", at: event.start))
      throw CompositionStopped()
    }
    try count(size, at: event.start, alias: name)
    var copy = node
    copy.location = event.start
    return copy
  }

  private func count(_ nodes: Int, at location: SourceLocation, alias: String? = nil) throws {
    nodeCount += nodes
    guard nodeCount > YAMLComposer.maximumNodeCount else { return }
    let cause =
      alias.map { "alias '*\($0)' expands" } ?? "the plan expands"
    diagnostics.append(
      .error(
        "\(cause) to more than \(YAMLComposer.maximumNodeCount) values; "
          + "a plan needs far fewer: write the values out instead of nesting aliases",
        at: location))
    throw CompositionStopped()
  }

  // MARK: - Events

  private func nextEvent() throws -> Event {
    let event = Event(source: source)
    guard yaml_parser_parse(&parser, &event.event) == 1 else {
      diagnostics.append(syntaxError())
      throw CompositionStopped()
    }
    return event
  }

  /// Turns libyaml's error state into a located diagnostic, in plainer words where we can.
  private func syntaxError() -> Diagnostic {
    let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
    if parser.error == YAML_READER_ERROR {
      let location = source.location(ofByteOffset: parser.problem_offset)
      let value = parser.problem_value
      if value >= 0 && value < 0x20 || value == 0x7F {
        return .error(
          "the plan contains a control character (0x\(String(value, radix: 16, uppercase: true)));"
            + " a plan is plain text", at: location)
      }
      return .error("invalid YAML: \(problem)", at: location)
    }
    let mark = parser.problem_mark
    let location = source.location(line: Int(mark.line), column: Int(mark.column))
    if source.scalar(at: location) == "\t" {
      return .error(
        "a tab character is used for indentation; YAML indents with spaces only", at: location)
    }
    if problem.hasPrefix("Maximum nesting level reached") {
      // libyaml's own limit (1000 levels) can trip before ours when its scanner reads ahead.
      return .error(YAMLComposer.tooDeep, at: location)
    }
    var message = "invalid YAML: \(problem)"
    if let context = parser.context.map({ String(cString: $0) }) {
      let contextMark = parser.context_mark
      let contextLocation = source.location(
        line: Int(contextMark.line), column: Int(contextMark.column))
      message += " (\(context) at line \(contextLocation.line), column \(contextLocation.column))"
    }
    return .error(message, at: location)
  }
}

/// One libyaml event, freed when released.
private final class Event {
  var event = yaml_event_t()
  let source: SourceText

  init(source: SourceText) { self.source = source }
  deinit { yaml_event_delete(&event) }

  var type: yaml_event_type_t { event.type }

  var start: SourceLocation {
    source.location(line: Int(event.start_mark.line), column: Int(event.start_mark.column))
  }

  var end: SourceLocation {
    source.location(line: Int(event.end_mark.line), column: Int(event.end_mark.column))
  }

  var scalarValue: String {
    let data = event.data.scalar
    guard let value = data.value else { return "" }
    return String(
      decoding: UnsafeBufferPointer(start: value, count: data.length), as: UTF8.self)
  }

  var scalarStyle: yaml_scalar_style_t { event.data.scalar.style }

  /// The node's `&anchor` name, if it has one.
  var anchor: String? { properties.anchor.map { String(cString: $0) } }

  /// The node's explicit tag (`!!str` arrives expanded as `tag:yaml.org,2002:str`).
  var tag: String? { properties.tag.map { String(cString: $0) } }

  /// Anchor and tag of a scalar, sequence or mapping event; nothing for other events.
  private var properties:
    (
      anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?
    )
  {
    switch event.type {
    case YAML_SCALAR_EVENT: (event.data.scalar.anchor, event.data.scalar.tag)
    case YAML_SEQUENCE_START_EVENT:
      (event.data.sequence_start.anchor, event.data.sequence_start.tag)
    case YAML_MAPPING_START_EVENT: (event.data.mapping_start.anchor, event.data.mapping_start.tag)
    default: (nil, nil)
    }
  }

  var aliasAnchor: String {
    event.data.alias.anchor.map { String(cString: $0) } ?? ""
  }
}
