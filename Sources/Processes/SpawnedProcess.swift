#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A child started with `posix_spawn` in a process group of its own, with no descriptors but
/// standard input, output and error, for ``ProcessRunner``.
///
/// Foundation's `Process` is not used: on Linux it learns that a child has exited when a
/// socket it gives the child is closed, so a daemon the child leaves behind (the server
/// `pg_ctl start` launches) inherits the socket and the caller waits until the daemon stops.
/// Here the child inherits nothing above descriptor 2, and exit is observed with `waitpid`,
/// which is about the child alone.
struct SpawnedProcess {
  /// How a reaped child ended.
  struct Ending {
    /// The exit status, or the signal number when `bySignal`.
    var status: Int32
    var bySignal: Bool
  }

  let pid: pid_t

  /// Starts `executable` with `arguments` and `environment` (`NAME=value` strings), reading
  /// `/dev/null` and writing to the two descriptors given.
  init(
    executable: String, arguments: [String], environment: [String], output: Int32, error: Int32
  ) throws {
    let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { throw ProcessError("cannot open /dev/null (errno \(errno))") }
    defer { _ = close(input) }

    #if canImport(Darwin)
      var actions: posix_spawn_file_actions_t? = nil
      var attributes: posix_spawnattr_t? = nil
    #else
      var actions = posix_spawn_file_actions_t()
      var attributes = posix_spawnattr_t()
    #endif
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }

    posix_spawn_file_actions_adddup2(&actions, input, 0)
    posix_spawn_file_actions_adddup2(&actions, output, 1)
    posix_spawn_file_actions_adddup2(&actions, error, 2)
    var flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
    #if canImport(Darwin)
      flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
    #else
      try Self.closeDescriptorsFrom3(&actions)
    #endif
    posix_spawnattr_setflags(&attributes, Int16(flags))
    posix_spawnattr_setpgroup(&attributes, 0)
    // Signals this process ignores or blocks would be ignored or blocked in the child too.
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2] {
      sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)

    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup($0) } + [nil]
    defer {
      for pointer in argv + envp { free(pointer) }
    }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
    guard status == 0 else {
      throw ProcessError("cannot run \(executable): \(String(cString: strerror(status)))")
    }
    self.pid = pid
  }

  /// The ending of the child if it has ended (reaping it), nil while it runs.
  func poll() throws -> Ending? {
    try reap(options: WNOHANG)
  }

  /// Waits for the child to end and reaps it.
  func wait() throws -> Ending {
    while true {
      if let ending = try reap(options: 0) { return ending }
    }
  }

  /// Kills the child and everything left in its process group.
  func killGroup() {
    _ = kill(-pid, SIGKILL)
    _ = kill(pid, SIGKILL)
  }

  private func reap(options: Int32) throws -> Ending? {
    var status: Int32 = 0
    while true {
      let result = waitpid(pid, &status, options)
      if result == pid {
        // The layout of `wait` statuses: the low 7 bits are the signal, 0 for an exit whose
        // status is in the next byte.
        let signal = status & 0x7f
        return signal == 0
          ? Ending(status: (status >> 8) & 0xff, bySignal: false)
          : Ending(status: signal, bySignal: true)
      }
      if result == 0 { return nil }
      if errno == EINTR { continue }
      throw ProcessError("waitpid(\(pid)) failed (errno \(errno))")
    }
  }

  #if !canImport(Darwin)
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), which Swift does not import.
    private typealias CloseFrom =
      @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// Adds the action that closes every descriptor above 2 in the child, whatever other
    /// threads have open, so no daemon the child starts can hold one of them.
    private static func closeDescriptorsFrom3(
      _ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>
    ) throws {
      guard
        let symbol = dlsym(
          UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
      else {
        throw ProcessError("posix_spawn_file_actions_addclosefrom_np needs glibc 2.34 or later")
      }
      let status = unsafeBitCast(symbol, to: CloseFrom.self)(actions, 3)
      guard status == 0 else { throw ProcessError("addclosefrom_np failed (\(status))") }
    }
  #endif
}
