import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The few entry points of libcurl's easy API, looked up with `dlopen`/`dlsym` on first use,
/// so that pitr does not load libcurl (and its Kerberos, LDAP, TLS… dependencies) at start:
/// `pitr wal-fetch` runs once per WAL segment and only s3:// locations need HTTP.
///
/// `curl_easy_setopt` and `curl_easy_getinfo` are variadic C functions. They are called here
/// through non-variadic `@convention(c)` pointers, one type per argument kind (long, pointer,
/// curl_off_t, callback): on Linux x86-64 and aarch64 a variadic integer or pointer argument
/// is passed exactly as a fixed one, so this is sound there (it would not be on Apple arm64,
/// where variadic arguments go on the stack).
struct CurlLibrary: @unchecked Sendable {
  typealias Handle = OpaquePointer
  /// `size_t (*)(char *data, size_t size, size_t count, void *context)`: write and header callbacks.
  typealias DataCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

  let easyInit: @convention(c) () -> Handle?
  let easyCleanup: @convention(c) (Handle?) -> Void
  let easyReset: @convention(c) (Handle?) -> Void
  let easyPerform: @convention(c) (Handle?) -> Int32
  let easyStrerror: @convention(c) (Int32) -> UnsafePointer<CChar>?
  let setLong: @convention(c) (Handle?, Int32, Int) -> Int32
  let setPointer: @convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32
  let setOffset: @convention(c) (Handle?, Int32, Int64) -> Int32
  let setCallback: @convention(c) (Handle?, Int32, DataCallback?) -> Int32
  let getLong: @convention(c) (Handle?, Int32, UnsafeMutablePointer<Int>) -> Int32
  let slistAppend: @convention(c) (OpaquePointer?, UnsafePointer<CChar>) -> OpaquePointer?
  let slistFreeAll: @convention(c) (OpaquePointer?) -> Void

  /// The shared object's name: the soname of libcurl 7.16 and later.
  #if os(macOS)
    static let soname = "libcurl.4.dylib"
  #else
    static let soname = "libcurl.so.4"
  #endif

  /// libcurl, loaded once for the process; the error says how to install it.
  static let shared: Result<CurlLibrary, S3Error> = Result { () throws(S3Error) in try load(soname) }

  /// Loads `name` and looks up every entry point; initializes libcurl once (not thread-safe in
  /// libcurl, so done here, under Swift's one-time initialization of ``shared``).
  static func load(_ name: String) throws(S3Error) -> CurlLibrary {
    guard let library = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
      throw missing(name, reason: dlerror().map { String(cString: $0) } ?? "not found")
    }
    func symbol<T>(_ symbolName: String, as type: T.Type) throws(S3Error) -> T {
      guard let address = dlsym(library, symbolName) else {
        throw missing(name, reason: "it has no \(symbolName)")
      }
      return unsafeBitCast(address, to: type)
    }
    let curl = CurlLibrary(
      easyInit: try symbol("curl_easy_init", as: (@convention(c) () -> Handle?).self),
      easyCleanup: try symbol("curl_easy_cleanup", as: (@convention(c) (Handle?) -> Void).self),
      easyReset: try symbol("curl_easy_reset", as: (@convention(c) (Handle?) -> Void).self),
      easyPerform: try symbol("curl_easy_perform", as: (@convention(c) (Handle?) -> Int32).self),
      easyStrerror: try symbol("curl_easy_strerror", as: (@convention(c) (Int32) -> UnsafePointer<CChar>?).self),
      setLong: try symbol("curl_easy_setopt", as: (@convention(c) (Handle?, Int32, Int) -> Int32).self),
      setPointer: try symbol(
        "curl_easy_setopt", as: (@convention(c) (Handle?, Int32, UnsafeRawPointer?) -> Int32).self),
      setOffset: try symbol("curl_easy_setopt", as: (@convention(c) (Handle?, Int32, Int64) -> Int32).self),
      setCallback: try symbol("curl_easy_setopt", as: (@convention(c) (Handle?, Int32, DataCallback?) -> Int32).self),
      getLong: try symbol(
        "curl_easy_getinfo", as: (@convention(c) (Handle?, Int32, UnsafeMutablePointer<Int>) -> Int32).self),
      slistAppend: try symbol(
        "curl_slist_append", as: (@convention(c) (OpaquePointer?, UnsafePointer<CChar>) -> OpaquePointer?).self),
      slistFreeAll: try symbol("curl_slist_free_all", as: (@convention(c) (OpaquePointer?) -> Void).self))
    let globalInit = try symbol("curl_global_init", as: (@convention(c) (Int) -> Int32).self)
    let code = globalInit(CurlOption.globalAll)
    guard code == 0 else { throw missing(name, reason: "curl_global_init failed: \(curl.message(code))") }
    return curl
  }

  static func missing(_ name: String, reason: String) -> S3Error {
    S3Error(
      .httpLibraryMissing,
      "cannot load libcurl (\(reason)), which pitr needs for s3:// locations only; "
        + "install it (Debian and Ubuntu: apt-get install libcurl4), or use a local or ssh:// location"
    )
  }

  /// libcurl's words for a CURLcode.
  func message(_ code: Int32) -> String {
    easyStrerror(code).map { String(cString: $0) } ?? "error \(code)"
  }
}

/// The CURLOPT_*, CURLINFO_* and CURLE_* values used, from curl/curl.h (stable ABI: an
/// option's number is its type's base, 0 long, 10000 pointer, 20000 function, 30000
/// curl_off_t, plus its index).
enum CurlOption {
  static let globalAll = 3
  static let writeData: Int32 = 10_001
  static let url: Int32 = 10_002
  static let postFields: Int32 = 10_015
  static let lowSpeedLimit: Int32 = 19
  static let lowSpeedTime: Int32 = 20
  static let httpHeader: Int32 = 10_023
  static let headerData: Int32 = 10_029
  static let customRequest: Int32 = 10_036
  static let noBody: Int32 = 44
  static let post: Int32 = 47
  static let caInfo: Int32 = 10_065
  static let connectTimeout: Int32 = 78
  static let httpGet: Int32 = 80
  static let caPath: Int32 = 10_097
  static let noSignal: Int32 = 99
  static let errorBuffer: Int32 = 10_010
  static let writeFunction: Int32 = 20_011
  static let headerFunction: Int32 = 20_079
  static let postFieldSizeLarge: Int32 = 30_120
  /// CURLINFO_LONG (0x200000) + 2.
  static let responseCode: Int32 = 0x20_0002
  /// CURL_ERROR_SIZE.
  static let errorBufferSize = 256
}

/// CURLcode values that map onto ``S3TransportError/Kind``.
enum CurlCode {
  static func kind(_ code: Int32) -> S3TransportError.Kind {
    switch code {
    case 7: .connectionRefused  // CURLE_COULDNT_CONNECT
    case 28: .timedOut  // CURLE_OPERATION_TIMEDOUT
    case 5, 6: .hostNotFound  // CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST
    // CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR
    case 18, 52, 55, 56: .connectionLost
    default: .other
    }
  }
}
