import Testing

extension Tag {
  /// Tests that run real PostgreSQL programs; slower, and skipped where they cannot run.
  @Tag static var integration: Self
}
