import PlanModel

/// What one load of one plan file shares: its text, the environment for `${NAME}`, and the
/// diagnostics found so far.
final class LoadingContext {
  let source: SourceText
  let environment: [String: String]
  private(set) var diagnostics: [Diagnostic] = []

  init(source: SourceText, environment: [String: String]) {
    self.source = source
    self.environment = environment
  }

  var file: String { source.file }

  func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

  func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
    report(.error(message, at: location, notes: notes))
  }

  /// The location of the start of the file, for problems of the file as a whole.
  var startOfFile: SourceLocation { SourceLocation(file: file, line: 1, column: 1) }
}
