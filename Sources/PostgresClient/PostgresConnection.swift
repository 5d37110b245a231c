import CLibPQ

#if canImport(Glibc)
  import Glibc
#endif

/// One libpq connection. Not shared between threads; closed when released.
public final class PostgresConnection {
  private let connection: OpaquePointer

  /// What went wrong, in libpq's words (first line), with the SQLSTATE when there is one.
  public struct Failure: Error, CustomStringConvertible {
    public var message: String
    public var sqlState: String?
    public var description: String { message }
  }

  /// Connects with a libpq connection string (`host=… port=…` or a URI); `overrides` replace
  /// keywords of it (such as `dbname`).
  public init(conninfo: String, overrides: [String: String] = [:]) throws {
    var keywords = ["dbname"] + overrides.keys.sorted()
    var values = [conninfo] + overrides.keys.sorted().map { overrides[$0] ?? "" }
    keywords.append("fallback_application_name")
    values.append("pitr")
    // libpq takes NULL-terminated arrays of C strings; these copies live until it returns.
    let keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer(strdup($0)) } + [nil]
    let valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer(strdup($0)) } + [nil]
    defer {
      for pointer in keywordPointers + valuePointers { free(UnsafeMutablePointer(mutating: pointer)) }
    }
    let opened = PQconnectdbParams(keywordPointers, valuePointers, 1)
    guard let opened else { throw Failure(message: "out of memory while connecting") }
    guard PQstatus(opened) == CONNECTION_OK else {
      let message = Self.firstLine(PQerrorMessage(opened))
      PQfinish(opened)
      throw Failure(message: message)
    }
    connection = opened
  }

  deinit { PQfinish(connection) }

  /// Runs one statement with text parameters (`$1`, `$2`, …) and returns its rows as text.
  public func query(_ sql: String, _ parameters: [String?] = []) throws -> [[String?]] {
    let copies: [UnsafePointer<CChar>?] = parameters.map { $0.map { UnsafePointer(strdup($0)) } ?? nil }
    defer { for pointer in copies { free(UnsafeMutablePointer(mutating: pointer)) } }
    let result = PQexecParams(connection, sql, Int32(copies.count), nil, copies, nil, nil, 0)
    guard let result else { throw Failure(message: Self.firstLine(PQerrorMessage(connection))) }
    defer { PQclear(result) }
    let status = PQresultStatus(result)
    guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
      let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
      throw Failure(message: Self.firstLine(PQresultErrorMessage(result)), sqlState: state)
    }
    var rows: [[String?]] = []
    for row in 0..<PQntuples(result) {
      var values: [String?] = []
      for column in 0..<PQnfields(result) {
        values.append(
          PQgetisnull(result, row, column) == 1
            ? nil : String(cString: PQgetvalue(result, row, column)))
      }
      rows.append(values)
    }
    return rows
  }

  /// Whether a server answers at `host` and `port`, as `pg_isready` asks (libpq's
  /// `PQpingParams`): it needs no password and no rule of pg_hba.conf that lets anyone in.
  public static func ping(host: String, port: Int, timeout: Int = 5) -> Bool {
    let keywords = ["host", "port", "dbname", "connect_timeout"]
    let values = [host, String(port), "postgres", String(timeout)]
    let keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer(strdup($0)) } + [nil]
    let valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer(strdup($0)) } + [nil]
    defer {
      for pointer in keywordPointers + valuePointers { free(UnsafeMutablePointer(mutating: pointer)) }
    }
    return PQpingParams(keywordPointers, valuePointers, 0) == PQPING_OK
  }

  private static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
    guard let message else { return "unknown libpq error" }
    let text = String(cString: message)
    return text.split(separator: "\n").first.map(String.init) ?? text
  }
}
