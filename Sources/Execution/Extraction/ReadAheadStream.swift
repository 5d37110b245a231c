import Archives
import Foundation

/// The bytes of another stream, read (and so decompressed) ahead on a thread of their own,
/// so that inflating an archive overlaps with checksumming and writing its files on the
/// second core.
///
/// The reading thread fills up to ``depth`` buffers of ``chunkSize`` bytes and waits while
/// they are all full: memory stays bounded (4 MiB by default). Bytes come out in order, and
/// an error the source throws is thrown by the read that reaches its place in the stream,
/// then by every later read. Dropping the stream stops the thread (after the read it is in)
/// before its buffers are freed.
///
/// A class because it owns the buffers and the thread's shared state.
final class ReadAheadStream: ByteStream {
  /// How many bytes each buffer holds: 1 MiB.
  static let chunkSize = 1 << 20
  /// How many buffers there are.
  static let depth = 4

  let name: String?
  private let shared: ReadAheadShared
  /// The buffer being handed out, how full it is and how much of it has been read.
  private var current: UnsafeMutableRawBufferPointer?
  private var currentCount = 0
  private var currentUsed = 0

  /// Starts reading `source` on a new thread.
  init<Source: ByteStream>(_ source: Source) {
    name = source.name
    let shared = ReadAheadShared(
      buffers: (0..<Self.depth).map { _ in
        .allocate(byteCount: Self.chunkSize, alignment: 64)
      })
    self.shared = shared
    let box = SourceBox(source)
    let thread = Thread { shared.produce(from: box) }
    thread.name = "pitr read-ahead"
    thread.start()
  }

  deinit {
    if let current { shared.giveBack(current) }
    shared.stop()
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let target = buffer.baseAddress, !buffer.isEmpty else { return 0 }
    if currentUsed == currentCount {
      if let current { shared.giveBack(current) }
      current = nil
      guard let (next, count) = try shared.next() else { return 0 }
      current = next
      currentCount = count
      currentUsed = 0
    }
    guard let source = current?.baseAddress else { return 0 }
    let count = min(buffer.count, currentCount - currentUsed)
    target.copyMemory(from: source + currentUsed, byteCount: count)
    currentUsed += count
    return count
  }
}

/// The source, handed to the reading thread, which alone uses it from then on.
private final class SourceBox<Source: ByteStream>: @unchecked Sendable {
  var source: Source

  init(_ source: Source) { self.source = source }
}

/// What the reading thread and the reader share, under one condition's lock.
private final class ReadAheadShared: @unchecked Sendable {
  private let condition = NSCondition()
  /// Empty buffers the thread may fill.
  private var free: [UnsafeMutableRawBufferPointer]
  /// Filled buffers, oldest first, with how many bytes each holds.
  private var filled: [(UnsafeMutableRawBufferPointer, Int)] = []
  /// Every buffer, to free at the end.
  private let all: [UnsafeMutableRawBufferPointer]
  /// Whether the source has ended (after the filled buffers).
  private var ended = false
  /// What the source threw (after the filled buffers).
  private var failure: (any Error)?
  /// Whether the reader has gone.
  private var stopping = false
  /// Whether the thread has returned.
  private var stopped = false

  init(buffers: [UnsafeMutableRawBufferPointer]) {
    free = buffers
    all = buffers
  }

  /// The thread's loop: fills free buffers until the source ends or fails or the reader goes.
  func produce<Source: ByteStream>(from box: SourceBox<Source>) {
    while let buffer = takeFreeBuffer() {
      var count = 0
      var error: (any Error)?
      do {
        while count < buffer.count {
          let got = try box.source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
          if got == 0 { break }
          count += got
        }
      } catch let thrown {
        error = thrown
      }
      condition.lock()
      if count > 0 { filled.append((buffer, count)) } else { free.append(buffer) }
      ended = error == nil && count < buffer.count
      failure = error
      let done = ended || failure != nil
      if done { stopped = true }
      condition.broadcast()
      condition.unlock()
      if done { return }
    }
  }

  /// Waits for a free buffer; nil once the reader has gone.
  private func takeFreeBuffer() -> UnsafeMutableRawBufferPointer? {
    condition.lock()
    defer { condition.unlock() }
    while free.isEmpty, !stopping { condition.wait() }
    guard !stopping else {
      stopped = true
      condition.broadcast()
      return nil
    }
    return free.removeLast()
  }

  /// Waits for the next filled buffer; nil at the end of the source.
  func next() throws -> (UnsafeMutableRawBufferPointer, Int)? {
    condition.lock()
    defer { condition.unlock() }
    while filled.isEmpty, !ended, failure == nil { condition.wait() }
    if !filled.isEmpty { return filled.removeFirst() }
    if let failure { throw failure }
    return nil
  }

  /// Returns a buffer the reader is done with.
  func giveBack(_ buffer: UnsafeMutableRawBufferPointer) {
    condition.lock()
    free.append(buffer)
    condition.signal()
    condition.unlock()
  }

  /// Tells the thread to stop, waits until it has, and frees the buffers.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    while !stopped { condition.wait() }
    condition.unlock()
    for buffer in all { buffer.deallocate() }
  }
}
