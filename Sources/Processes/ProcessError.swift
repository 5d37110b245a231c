/// A program could not be started or waited for.
public struct ProcessError: Error, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}
