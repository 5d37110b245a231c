import ArgumentParser
import Execution
import Foundation
import Storage

/// `pitr wal-fetch`: the `restore_command` pitr writes into the recovery configuration.
struct WALFetch: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wal-fetch",
    abstract: "Fetch one WAL file for PostgreSQL's restore_command.",
    discussion: """
      PostgreSQL runs this once for every file recovery needs, as the restore_command pitr \
      writes: pitr wal-fetch --wal DIR --spool STATE/spool %f %p. It serves the file from \
      the spool (segments pitr prefetched) or from the archive folders at any depth: the \
      exact name, or the name plus a compression suffix, decompressed by its magic bytes \
      (gzip, zstd or lz4; bzip2 and xz are refused). .partial files are never served. A \
      segment must start with the page header of the segment it is named after (and of the \
      cluster given by --system-identifier) and be exactly one segment long. The file is \
      written beside %p and renamed onto it, so %p never holds half a file.

      With --spool, where each file is comes from the index <spool>/index, built on the \
      first call and walked again when a name is not in it.

      Exit codes: 0 fetched; 1 not found (what PostgreSQL expects for a missing file: it \
      asks for files that do not exist, such as the next timeline's history file; nothing \
      is printed but one line on stderr); 200 found but damaged, not the file its name \
      says, compressed in an unsupported format, or not readable or writable, or an \
      archive folder (or host, or bucket) that cannot be read, so that "not found" would be \
      a guess; 64 usage error. PostgreSQL takes an exit code above 125 as fatal and stops recovery, with the \
      line on stderr in the server log saying why; any lower one would read as "not \
      archived" and end recovery there, which without a recovery target means promoting a \
      server that silently lacks the rest of the WAL.
      """
  )

  /// Found, but not servable. Above 125, so PostgreSQL stops recovery instead of taking the
  /// file as the end of the archive; not 126 or 127, which it logs as "command not
  /// executable" and "command not found".
  static let damaged = ExitCode(200)
  /// No such file.
  private static let notFound = ExitCode(1)

  @Option(
    name: .long,
    help: ArgumentHelp(
      "An archive folder, searched at any depth (repeat for several).", valueName: "dir"))
  var wal: [String] = []

  @Option(
    name: .customLong("s3-endpoint"),
    help: ArgumentHelp(
      "The S3 service of s3:// archives (the plan's backups.s3.endpoint).", valueName: "url"))
  var s3Endpoint: String?

  @Option(
    name: .customLong("s3-region"),
    help: ArgumentHelp("The region of s3:// archives (backups.s3.region).", valueName: "region"))
  var s3Region: String?

  @Option(
    name: .customLong("s3-path-style"),
    help: ArgumentHelp("Path-style S3 addressing (backups.s3.path_style).", valueName: "true|false"))
  var s3PathStyle: Bool?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The spool of prefetched files, which also keeps the archive's index.", valueName: "dir"))
  var spool: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "The cluster's system identifier; segments of another cluster are refused.",
      valueName: "n"))
  var systemIdentifier: UInt64?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Segments the plan saw archived, FIRST-LAST of one timeline (repeat for several): one of them "
        + "not found stops recovery (exit 200) instead of ending it.", valueName: "first-last"))
  var needs: [String] = []

  @Argument(help: ArgumentHelp("The file PostgreSQL asks for (%f).", valueName: "file-name"))
  var fileName: String

  @Argument(help: ArgumentHelp("Where to put it (%p).", valueName: "destination"))
  var destination: String

  func validate() throws {
    if wal.isEmpty, spool == nil { throw ValidationError("give the archive with --wal DIR") }
    for run in needs where WALFetcher.neededRun(run) == nil {
      throw ValidationError("--needs '\(run)' is not FIRST-LAST, two segment names of one timeline in order")
    }
    if fileName.isEmpty || fileName.contains("/") {
      throw ValidationError("'\(fileName)' is not a file name (%f is a name, %p the path)")
    }
  }

  func run() async throws { try fetch() }

  /// The whole command, synchronous: ``PITRCommand/runWALFetchIfAsked(_:)`` calls it
  /// without starting the concurrency runtime's threads.
  func fetch() throws {
    // One connection per host for all the calls of a restore, its socket in the spool.
    RunStores.sharedControlFolder = spool.map { absolutePath($0) + "/ssh" }
    // An archive that cannot be reached (no S3 configuration, no SSH connection) leaves only
    // the spool; when the file is not there it is fatal for the server (exit 200), never
    // "not archived", which would end recovery early.
    var unreachable: (any Error)?
    do {
      try RunStores.prepare(
        texts: wal, s3: S3Settings(endpoint: s3Endpoint, region: s3Region, pathStyle: s3PathStyle))
    } catch {
      unreachable = error
    }
    let fetcher = WALFetcher(
      archiveFolders: unreachable != nil
        ? [] : wal.map { RepositoryStores.isRemote($0) ? $0 : absolutePath($0) },
      spoolFolder: spool.map(absolutePath),
      expectedSystemIdentifier: systemIdentifier, neededRuns: needs.compactMap(WALFetcher.neededRun),
      warn: { Terminal.writeError("pitr wal-fetch: warning: \($0)\n") })
    let outcome: WALFetchOutcome
    do {
      outcome = try fetcher.fetch(fileName, to: destination)
    } catch let error as WALFetchError {
      Terminal.writeError("pitr wal-fetch: error: \(error)\n")
      throw error.kind == .invalidRequest ? PITRExitCode.usage : Self.damaged
    }
    if case .notFound(let reason) = outcome {
      if let unreachable {
        Terminal.writeError("pitr wal-fetch: error: \(unreachable)\n")
        throw Self.damaged
      }
      Terminal.writeError("pitr wal-fetch: \(reason)\n")
      throw Self.notFound
    }
  }
}

extension PITRCommand {
  /// Runs `pitr wal-fetch …` and exits, when `arguments` (the command line without the
  /// program's name) ask for it; returns for every other command.
  ///
  /// PostgreSQL starts wal-fetch once for every file recovery asks for, so it runs here,
  /// synchronously on the main thread, rather than through the async `main()`, whose task
  /// hops to the cooperative thread pool and back. Parsing, help, validation and exit
  /// codes are argument-parser's, as through `main()`.
  public static func runWALFetchIfAsked(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) {
    guard arguments.first == WALFetch.configuration.commandName else { return }
    do {
      let command = try parseAsRoot(arguments)
      guard let fetch = command as? WALFetch else { return }
      try fetch.fetch()
    } catch {
      Self.exit(withError: error)
    }
    Self.exit(withError: nil)
  }
}
