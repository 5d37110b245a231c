import ArgumentParser

/// `pitr completion SHELL`: the shell completion script, as `kubectl completion bash` prints it.
struct Completion: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print the completion script for bash, zsh or fish.",
    discussion: """
      Install it where your shell reads completions, for example:
        pitr completion bash > /etc/bash_completion.d/pitr
        pitr completion zsh > "${fpath[1]}/_pitr"
        pitr completion fish > ~/.config/fish/completions/pitr.fish
      (the same script as pitr --generate-completion-script SHELL).
      """
  )

  enum Shell: String, ExpressibleByArgument, CaseIterable {
    case bash, zsh, fish

    var kind: CompletionShell {
      switch self {
      case .bash: .bash
      case .zsh: .zsh
      case .fish: .fish
      }
    }
  }

  @Argument(help: "bash, zsh or fish.")
  var shell: Shell

  func run() async throws {
    let script = PITRCommand.completionScript(for: shell.kind)
    Terminal.write(script.hasSuffix("\n") ? script : script + "\n")
  }
}
