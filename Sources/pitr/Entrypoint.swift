import Dispatch
import PITRCommands

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The `pitr` executable: everything else lives in `PITRCommands`, where it can be tested.
///
/// `pitr wal-fetch`, which PostgreSQL starts once for every file recovery asks for, runs
/// synchronously on the main thread: no task, no thread pool, no hop between threads (each
/// costs a scheduling delay on a machine busy replaying). Every other command runs as an
/// async main would.
@main
struct Entrypoint {
  static func main() {
    PITRCommand.runWALFetchIfAsked()
    Task {
      await PITRCommand.main()
      exit(0)
    }
    dispatchMain()
  }
}
