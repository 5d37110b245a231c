import Execution

/// Picking a port number for a lab's server.
extension PostgresLab {
  /// A TCP port nothing listens on now.
  ///
  /// Labs listen only on a Unix socket in their own directory, where the port is part of the
  /// socket's name, so the number only has to differ between servers of one lab; a free TCP
  /// port keeps it unlike anyone else's too.
  static func freePort() throws -> Int {
    guard let port = SystemEnvironment().freePort() else { throw FixtureError("could not bind a free port") }
    return port
  }
}
