import Foundation

/// One object as a listing or a HEAD reports it.
public struct S3ObjectEntry: Sendable, Equatable, Hashable {
  /// The object's key in its bucket.
  public var key: String
  /// Its size in bytes.
  public var size: Int64
  /// When it was last written, in nanoseconds since 1970-01-01 UTC.
  public var lastModifiedNanoseconds: Int64
  /// Its ETag, quotes removed.
  public var etag: String

  public init(key: String, size: Int64, lastModifiedNanoseconds: Int64, etag: String) {
    self.key = key
    self.size = size
    self.lastModifiedNanoseconds = lastModifiedNanoseconds
    self.etag = etag
  }
}

/// One page of a ListObjectsV2 answer.
struct ListPage: Equatable {
  var entries: [S3ObjectEntry]
  /// The token for the next page; nil on the last one.
  var nextContinuationToken: String?
}

/// The parts of S3's XML documents the client reads: ListBucketResult and Error.
enum S3XML {
  /// Parses a ListBucketResult (ListObjectsV2).
  static func listPage(_ data: Data) throws(S3Error) -> ListPage {
    let elements = try flatElements(data)
    var entries: [S3ObjectEntry] = []
    var token: String?
    var truncated = false
    for element in elements {
      switch element.path {
      case ["ListBucketResult", "Contents"]:
        let f = element.children
        guard let key = f["Key"], let size = f["Size"].flatMap(Int64.init),
          let modified = f["LastModified"].flatMap(S3Time.iso8601Nanoseconds)
        else { throw S3Error(.unexpectedResponse, "an S3 listing entry lacks Key, Size or LastModified") }
        entries.append(
          S3ObjectEntry(key: key, size: size, lastModifiedNanoseconds: modified, etag: unquote(f["ETag"] ?? "")))
      case ["ListBucketResult", "NextContinuationToken"]: token = element.text
      case ["ListBucketResult", "IsTruncated"]: truncated = element.text == "true"
      default: break
      }
    }
    return ListPage(entries: entries, nextContinuationToken: truncated ? token : nil)
  }

  /// The Code and Message of an Error document, nil when the body is not one.
  static func errorCode(_ data: Data) -> (code: String, message: String)? {
    guard !data.isEmpty, let elements = try? flatElements(data) else { return nil }
    var code: String?
    var message = ""
    for element in elements where element.path.count == 2 && element.path[0] == "Error" {
      if element.path[1] == "Code" { code = element.text }
      if element.path[1] == "Message" { message = element.text }
    }
    return code.map { ($0, message) }
  }

  static func unquote(_ etag: String) -> String {
    var text = etag.replacingOccurrences(of: "&quot;", with: "")
    if text.hasPrefix("\"") { text.removeFirst() }
    if text.hasSuffix("\"") { text.removeLast() }
    return text
  }

  /// An element: its path from the root, its text, and its children's texts by name.
  struct Element {
    var path: [String]
    var text: String
    var children: [String: String]
  }

  /// Every element of the document, parents after their children (``S3XMLReader``).
  private static func flatElements(_ data: Data) throws(S3Error) -> [Element] {
    do {
      return try S3XMLReader.elements(data)
    } catch {
      throw S3Error(.unexpectedResponse, "the S3 endpoint answered with XML that does not parse")
    }
  }
}

/// The two time formats S3 uses, read without a calendar or a time zone database.
enum S3Time {
  /// `2026-12-05T00:08:07.123Z` (listings) to nanoseconds since 1970.
  static func iso8601Nanoseconds(_ text: String) -> Int64? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") else { return nil }
    func number(_ from: Int, _ count: Int) -> Int64? {
      guard from + count <= bytes.count else { return nil }
      var value: Int64 = 0
      for byte in bytes[from..<(from + count)] {
        guard byte >= 48 && byte <= 57 else { return nil }
        value = value * 10 + Int64(byte - 48)
      }
      return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
    else { return nil }
    var fraction: Int64 = 0
    var index = 19
    if bytes[index] == UInt8(ascii: ".") {
      var digits = 0
      index += 1
      while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
        if digits < 9 { fraction = fraction * 10 + Int64(bytes[index] - 48) }
        digits += 1
        index += 1
      }
      for _ in min(digits, 9)..<9 { fraction *= 10 }
    }
    guard index < bytes.count, bytes[index] == UInt8(ascii: "Z") else { return nil }
    let days = CivilDate.toDays(year: year, month: month, day: day)
    return ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000_000) + fraction
  }

  /// `Sat, 05 Dec 2026 00:08:07 GMT` (HTTP's Last-Modified) to nanoseconds since 1970.
  static func httpDateNanoseconds(_ text: String) -> Int64? {
    let parts = text.split(separator: " ")
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard parts.count == 6, let day = Int64(parts[1]), let month = months.firstIndex(of: String(parts[2])),
      let year = Int64(parts[3])
    else { return nil }
    let clock = parts[4].split(separator: ":").compactMap { Int64($0) }
    guard clock.count == 3 else { return nil }
    let days = CivilDate.toDays(year: year, month: Int64(month + 1), day: day)
    return (days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]) * 1_000_000_000
  }
}
