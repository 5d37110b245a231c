import Testing

extension Tag {
  /// Tests that run a real PostgreSQL server (slower; they need postgresql-15 installed).
  /// `scripts/test` runs them again on each PostgreSQL major and in other time zones.
  @Tag public static var integration: Self

  /// Tests that start a real `moto_server` or `sshd` on loopback but no PostgreSQL server:
  /// what they check does not depend on the major or the zone, so they run once, in the
  /// first pass of `scripts/test`.
  @Tag public static var remoteRepository: Self
}
