import ArgumentParser

/// `pitr`: declarative point-in-time recovery for PostgreSQL.
public struct PITRCommand: AsyncParsableCommand {
  public static let version = "0.1.0"

  public static let configuration = CommandConfiguration(
    commandName: "pitr",
    abstract: "Declarative point-in-time recovery for PostgreSQL.",
    discussion: """
      A restore plan (YAML) says which backups to restore, up to which recovery target, \
      where, and what to do at the target. pitr checks the plan, shows the steps it would \
      take, and runs them.

      Exit codes: 0 success; 1 execution failed; 2 the plan is invalid or its target \
      unreachable; 64 usage error (see docs/exit-codes.md).
      """,
    version: version,
    subcommands: [
      Validate.self, PlanCommand.self, Apply.self, Advance.self, Status.self, CatalogCommand.self, WALCommand.self,
      WALFetch.self, Schema.self, DemoCommand.self, Completion.self,
    ]
  )

  public init() {}
}
