import Testing

/// The suites of `Extraction/`, nested here so that `swift test --filter Extraction` runs them.
@Suite struct ExtractionTests {}
