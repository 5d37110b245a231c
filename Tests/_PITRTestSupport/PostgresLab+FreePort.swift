#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Picking a port number for a lab's server.
extension PostgresLab {
  /// A TCP port nothing listens on now: binds port 0 and reads which port the kernel chose.
  ///
  /// Labs listen only on a Unix socket in their own directory, where the port is part of the
  /// socket's name, so the number only has to differ between servers of one lab; a free TCP
  /// port keeps it unlike anyone else's too.
  static func freePort() throws -> Int {
    #if canImport(Glibc)
      let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { throw FixtureError("socket() failed (errno \(errno))") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
        bind(descriptor, raw, length) == 0 && getsockname(descriptor, raw, &length) == 0
      }
    }
    guard bound else { throw FixtureError("could not bind a free port (errno \(errno))") }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
