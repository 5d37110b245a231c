import Testing

extension Tag {
  /// Tests that run a real PostgreSQL server (slower; they need postgresql-15 installed).
  @Tag public static var integration: Self
}
