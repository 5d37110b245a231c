import Testing

/// Every user-facing message of `Sources/Execution` that no other test pins, asserted word
/// for word: the suites of `ErrorMessages/`, nested here so that
/// `swift test --filter ErrorMessages` runs them all. None needs a PostgreSQL server.
@Suite struct ErrorMessages {}
