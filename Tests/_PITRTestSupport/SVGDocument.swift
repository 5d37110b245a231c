import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// An SVG parsed with Foundation's `XMLParser`: its elements, their attributes, text and
/// ancestors, for tests that check a picture's structure rather than its bytes.
public final class SVGDocument: NSObject, XMLParserDelegate {
  public final class Element {
    public let name: String
    public let attributes: [String: String]
    public private(set) weak var parent: Element?
    public internal(set) var children: [Element] = []
    var ownText = ""
    init(name: String, attributes: [String: String], parent: Element?) {
      self.name = name
      self.attributes = attributes
      self.parent = parent
    }
    public subscript(_ attribute: String) -> String? { attributes[attribute] }
    /// Its text and its descendants', in order.
    public var text: String { ownText + children.map(\.text).joined() }
    public var ancestors: [Element] {
      var result: [Element] = []
      var current = parent
      while let element = current {
        result.append(element)
        current = element.parent
      }
      return result
    }
  }

  public struct ParseError: Error, CustomStringConvertible {
    public var description: String
  }

  public private(set) var root: Element?
  private var all: [Element] = []
  private var current: Element?

  public init(_ text: String) throws {
    super.init()
    let parser = XMLParser(data: Data(text.utf8))
    parser.delegate = self
    guard parser.parse(), let root, root.name == "svg" else {
      throw ParseError(description: "not an SVG document: \(parser.parserError.map { "\($0)" } ?? "no <svg> root")")
    }
  }

  public func elements(class name: String) -> [Element] { all.filter { $0["class"] == name } }
  public func element(id: String) -> Element? { all.first { $0["id"] == id } }

  public func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    let element = Element(name: elementName, attributes: attributes, parent: current)
    current?.children.append(element)
    if root == nil { root = element }
    all.append(element)
    current = element
  }

  public func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
  ) {
    current = current?.parent
  }

  public func parser(_ parser: XMLParser, foundCharacters string: String) {
    current?.ownText += string
  }
}
