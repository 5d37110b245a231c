import Foundation

/// Where output goes, and whether it is a terminal.
enum Terminal {
  static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

  /// Whether to colour text written to `descriptor` in `mode`.
  static func usesColor(_ mode: ColorMode, descriptor: Int32 = STDERR_FILENO) -> Bool {
    switch mode {
    case .always: return true
    case .never: return false
    case .auto:
      let environment = ProcessInfo.processInfo.environment
      if environment["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
      if environment["TERM"] == "dumb" { return false }
      return isTerminal(descriptor)
    }
  }

  static func writeError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }
}
