import Crypto
import Foundation

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), header form.
///
/// Signs every header it is given (names lower-cased, values trimmed, sorted by name); the
/// canonical URI is the path as given (already percent-encoded, as S3 wants it: not encoded
/// twice), the canonical query is the parameters encoded with RFC 3986's unreserved set and
/// sorted.
public struct SignatureV4: Sendable {
  /// The service name in the credential scope: `s3`.
  public var service: String
  /// The region in the credential scope.
  public var region: String

  public init(service: String = "s3", region: String) {
    self.service = service
    self.region = region
  }

  /// The SHA-256 of an empty payload, in hex.
  public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

  /// The `Authorization` header's value for a request.
  ///
  /// - Parameters:
  ///   - method: `GET`, `HEAD`, `PUT`…
  ///   - path: The percent-encoded path, starting with `/`.
  ///   - query: The query parameters, not encoded.
  ///   - headers: Every header to sign, `host` and `x-amz-date` included.
  ///   - payloadHash: The hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
  ///   - amzDate: The `x-amz-date` value, `YYYYMMDDTHHMMSSZ`.
  ///   - credentials: The access key and secret.
  public func authorization(
    method: String, path: String, query: [(String, String)], headers: [(String, String)],
    payloadHash: String, amzDate: String, credentials: S3Credentials
  ) -> String {
    let canonical = canonicalRequest(
      method: method, path: path, query: query, headers: headers, payloadHash: payloadHash)
    let day = String(amzDate.prefix(8))
    let scope = "\(day)/\(region)/\(service)/aws4_request"
    let stringToSign = [
      "AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonical.request.utf8))),
    ].joined(separator: "\n")
    var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
    for part in [day, region, service, "aws4_request"] {
      key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
    }
    let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
      + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
  }

  /// The canonical request and its signed-headers list.
  func canonicalRequest(
    method: String, path: String, query: [(String, String)], headers: [(String, String)],
    payloadHash: String
  ) -> (request: String, signedHeaders: String) {
    let encoded: [(name: String, value: String)] = query.map { pair in
      (name: Self.encode(pair.0), value: Self.encode(pair.1))
    }
    let sorted = encoded.sorted { left, right in
      left.name == right.name ? left.value < right.value : left.name < right.name
    }
    let canonicalQuery = sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    var merged: [String: [String]] = [:]
    for (name, value) in headers {
      let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
      merged[name.lowercased(), default: []].append(collapsed)
    }
    let names = merged.keys.sorted()
    let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
    let signedHeaders = names.joined(separator: ";")
    let request = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
      .joined(separator: "\n")
    return (request, signedHeaders)
  }

  /// RFC 3986 percent-encoding: everything but `A-Z a-z 0-9 - _ . ~` (and `/` when `keepSlash`).
  public static func encode(_ text: String, keepSlash: Bool = false) -> String {
    var result = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
        UInt8(ascii: "~"):
        result.unicodeScalars.append(Unicode.Scalar(byte))
      case UInt8(ascii: "/") where keepSlash:
        result += "/"
      default:
        result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return result
  }

  /// `YYYYMMDDTHHMMSSZ` for a moment, in UTC.
  public static func amzDate(_ date: Date) -> String {
    let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
    let (year, month, day) = CivilDate.fromDays(seconds.floorDivided(by: 86_400))
    let inDay = seconds - seconds.floorDivided(by: 86_400) * 86_400
    let hour = inDay / 3600
    let minute = inDay / 60 % 60
    let second = inDay % 60
    let day8: [String] = [
      String(year).leftPadded(to: 4), String(month).leftPadded(to: 2), String(day).leftPadded(to: 2),
    ]
    let time6: [String] = [
      String(hour).leftPadded(to: 2), String(minute).leftPadded(to: 2), String(second).leftPadded(to: 2),
    ]
    return day8.joined() + "T" + time6.joined() + "Z"
  }

  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}

extension Int64 {
  func floorDivided(by divisor: Int64) -> Int64 {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil), no time zones.
enum CivilDate {
  static func toDays(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = y.floorDivided(by: 400)
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  static func fromDays(_ days: Int64) -> (Int64, Int64, Int64) {
    let z = days + 719_468
    let era = z.floorDivided(by: 146_097)
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
