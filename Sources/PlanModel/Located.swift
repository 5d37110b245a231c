/// A plan value together with where it was written, so later checks can point at it.
///
/// A default (a key the plan left out) is located at the section that would hold it.
@dynamicMemberLookup
public struct Located<Value> {
  /// The value, after `${NAME}` interpolation and type conversion.
  public var value: Value
  /// Where the value (or, for a default, its section) starts in the plan file.
  public var location: SourceLocation

  public init(_ value: Value, at location: SourceLocation) {
    self.value = value
    self.location = location
  }

  /// Reads a property of the wrapped value directly: `plan.destination.port.value` or `.port`.
  public subscript<T>(dynamicMember keyPath: KeyPath<Value, T>) -> T { value[keyPath: keyPath] }

  /// The same location around another value.
  public func map<T>(_ transform: (Value) throws -> T) rethrows -> Located<T> {
    Located<T>(try transform(value), at: location)
  }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
extension Located: Sendable where Value: Sendable {}
extension Located: Codable where Value: Codable {}
