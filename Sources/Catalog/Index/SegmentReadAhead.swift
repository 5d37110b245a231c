import Foundation
import Storage

/// Remote segments read whole ahead of the WAL index's summaries, in order, on a thread of
/// their own: over SSH one command streams many back to back, over S3 several GETs run at
/// once, so reading 30 segments costs about their transfer time instead of 30 round trips
/// one after another.
///
/// Bounded: at most ``inFlight`` files (and about ``byteBudget`` bytes) wait to be taken,
/// the reader blocking until one is; the last two taken are kept, because summarising a
/// segment also reads the start of the next one. A file the store could not read as listed
/// (missing, unreadable, changed, a dropped connection) is not held: the caller opens it the
/// ordinary way, which reports it with its usual message.
final class SegmentReadAhead: @unchecked Sendable {
  /// How many files may wait to be taken.
  static let inFlight = 4
  /// How many bytes waiting files may hold (at least one file always may).
  static let byteBudget = 64 << 20

  /// The files, in the order they are read.
  let paths: [String]
  private let positions: [String: Int]
  private let condition = NSCondition()
  /// Files read and not yet taken, by position: bytes, or `nil` when the store could not.
  private var waiting: [Int: [UInt8]?] = [:]
  private var waitingBytes = 0
  /// How many files the reader has handed over.
  private var arrived = 0
  /// Files before this position were skipped by the caller: they are not kept.
  private var wantedFrom = 0
  private var finished = false
  private var cancelled = false
  /// The last files taken, newest last.
  private var recent: [(path: String, bytes: [UInt8])] = []

  /// Starts reading `files` (remote, as listed) in order.
  init(files: [StoredFile], stores: RepositoryStores = .current) {
    paths = files.map(\.path)
    positions = Dictionary(files.enumerated().map { ($1.path, $0) }, uniquingKeysWith: { first, _ in first })
    Thread.detachNewThread { [self] in
      stores.readWhole(files) { index, bytes in self.deliver(index, bytes) }
      condition.withLock {
        finished = true
        condition.broadcast()
      }
    }
  }

  deinit { cancel() }

  /// Whether `path` is one of the files this reads.
  func covers(_ path: String) -> Bool { positions[path] != nil }

  /// Stops reading; files not taken yet are dropped.
  func cancel() {
    condition.withLock {
      cancelled = true
      waiting = [:]
      waitingBytes = 0
      condition.broadcast()
    }
  }

  /// The bytes of `path`, waiting for them if they are still to come; `nil` when it is not
  /// one of the files, was skipped (files before a taken one are dropped), or could not be
  /// read: then open it the ordinary way.
  func take(_ path: String) -> [UInt8]? {
    condition.withLock {
      if let kept = recent.last(where: { $0.path == path }) { return kept.bytes }
      guard let position = positions[path], !cancelled else { return nil }
      wantedFrom = max(wantedFrom, position)
      for skipped in waiting.keys where skipped < position {
        waitingBytes -= waiting.removeValue(forKey: skipped)??.count ?? 0
      }
      condition.broadcast()
      while waiting[position] == nil, arrived <= position, !finished, !cancelled {
        condition.wait()
      }
      guard let found = waiting.removeValue(forKey: position) else { return nil }
      condition.broadcast()
      guard let bytes = found else { return nil }
      waitingBytes -= bytes.count
      recent.append((path, bytes))
      if recent.count > 2 { recent.removeFirst() }
      return bytes
    }
  }

  /// Called by the reading thread for each file; blocks while enough are waiting.
  private func deliver(_ index: Int, _ bytes: [UInt8]?) -> Bool {
    condition.withLock {
      while !cancelled, !waiting.isEmpty,
        waiting.count >= Self.inFlight || waitingBytes >= Self.byteBudget
      {
        condition.wait()
      }
      guard !cancelled else { return false }
      arrived = index + 1
      guard index >= wantedFrom else { return true }
      waiting[index] = .some(bytes)
      waitingBytes += bytes?.count ?? 0
      condition.broadcast()
      return true
    }
  }
}
