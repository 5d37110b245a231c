/// A fixture writer that could not do what a test asked (a path ustar cannot hold, a zlib
/// failure, a short write).
public struct FixtureError: Error, CustomStringConvertible {
  public var description: String

  public init(_ description: String) {
    self.description = description
  }
}
