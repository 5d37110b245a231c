import Execution
import Foundation
import S3

/// A `moto_server` (PyPI `moto[server]`) on a free loopback port, its own temp directory as
/// working directory and log; `stop()` ends it and removes the directory.
///
/// moto accepts any credentials unless started with `requireSignatures: true`
/// (INITIAL_NO_AUTH_ACTION_COUNT=0): then every request must be signed with an access key
/// moto's IAM knows, and unknown keys get 403 InvalidAccessKeyId.
public final class MotoServer: @unchecked Sendable {
  /// Whether `moto_server` is on PATH.
  public static var isAvailable: Bool { executable != nil }

  /// The endpoint, `http://127.0.0.1:PORT` (`https` with TLS).
  public let endpoint: String
  public let directory: TemporaryDirectory
  private let process: Process

  private static var executable: String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/moto_server" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Starts the server and waits (up to 30 s) until it answers.
  ///
  /// - Parameter port: The port to listen on (a server started again where one was stopped);
  ///   a free one when nil.
  /// - Parameter tls: A certificate and its key (PEM files): the server speaks HTTPS with them.
  public init(requireSignatures: Bool = false, port: Int? = nil, tls: (certificate: String, key: String)? = nil) throws
  {
    guard let executable = Self.executable else { throw FixtureError("moto_server is not on PATH") }
    directory = try TemporaryDirectory("moto")
    let port = try port ?? Self.freePort()
    endpoint = "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)"
    process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments =
      ["-H", "127.0.0.1", "-p", String(port)] + (tls.map { ["-c", $0.certificate, "-k", $0.key] } ?? [])
    process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
    var environment = ProcessInfo.processInfo.environment
    if requireSignatures { environment["INITIAL_NO_AUTH_ACTION_COUNT"] = "0" }
    process.environment = environment
    _ = FileManager.default.createFile(atPath: directory.file("moto.log"), contents: nil)
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("moto.log")))
    process.standardOutput = log
    process.standardError = log
    try process.run()
    let deadline = Date().addingTimeInterval(30)
    while !Self.answers(port: port) {
      guard process.isRunning, Date() < deadline else {
        stop()
        throw FixtureError("moto_server did not start on port \(port); see its log")
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
  }

  /// A loopback TCP port nothing listens on now.
  public static func freePort() throws -> Int {
    guard let port = SystemEnvironment().freePort() else { throw FixtureError("could not bind a free port") }
    return port
  }

  /// The configuration for this server (path style, us-east-1).
  public var configuration: S3Configuration {
    S3Configuration(endpoint: URL(string: endpoint)!, region: "us-east-1", pathStyle: true)
  }

  /// A client for `bucket` with test credentials and a quick retry policy.
  public func client(
    bucket: String, credentials: S3Credentials = S3Credentials(accessKeyID: "AKIDTEST", secretAccessKey: "test-secret"),
    retry: S3RetryPolicy = S3RetryPolicy(maxAttempts: 2, baseDelay: 0.05, maxDelay: 0.1)
  ) -> S3Client {
    S3Client(bucket: bucket, configuration: configuration, credentials: credentials, retry: retry)
  }

  /// Creates `bucket` and uploads every regular file under each folder as `PREFIX/RELATIVE`
  /// (a lab's backups under `base`, its archive under `wal`, for instance).
  public func upload(_ folders: [(folder: String, prefix: String)], bucket: String) throws {
    let client = client(bucket: bucket)
    try client.createBucket()
    for (folder, prefix) in folders {
      let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
      for relative in files.sorted() {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: "\(folder)/\(relative)", isDirectory: &isFolder),
          !isFolder.boolValue
        else { continue }
        try client.put("\(prefix)/\(relative)", try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(relative)")))
      }
    }
  }

  /// Ends the server and removes its directory.
  public func stop() {
    if process.isRunning {
      // moto_server (werkzeug) does not exit on SIGTERM.
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    directory.remove()
  }

  private static func answers(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }
}
