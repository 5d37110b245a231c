import Archives
import Foundation

/// An S3 object read as a ``ByteStream``: ranged GETs of one chunk each, the next chunk
/// fetched on another thread while the current one is consumed, so memory stays at two chunks
/// whatever the object's size.
///
/// Every range is requested with `If-Match` on the ETag the opening HEAD saw, and each
/// answer's total size is checked against the size it saw: an object rewritten mid-read is an
/// ``S3Error`` (`.objectChanged`), never a mix of two versions.
public struct S3ObjectStream: ByteStream {
  /// `s3://bucket/key`, for error messages.
  public let name: String?
  /// The object as the HEAD saw it when the stream was opened.
  public let entry: S3ObjectEntry
  private let client: S3Client
  private let chunkSize: Int
  private var current = Data()
  private var position = 0
  /// The object offset of `current`'s first byte.
  private var currentStart: Int64 = 0
  /// The offset the next chunk to request starts at.
  private var nextOffset: Int64 = 0
  private var pending: Prefetch?

  init(client: S3Client, entry: S3ObjectEntry, chunkSize: Int) {
    self.client = client
    self.entry = entry
    self.chunkSize = chunkSize
    self.name = "s3://\(client.bucket)/\(entry.key)"
  }

  /// How many bytes of the object the stream has handed out or skipped.
  public var offset: Int64 { currentStart + Int64(position) }

  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard buffer.count > 0 else { return 0 }
    if position == current.count {
      guard try advance() else { return 0 }
    }
    let count = min(buffer.count, current.count - position)
    current.withUnsafeBytes { bytes in
      buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + position, byteCount: count)
    }
    position += count
    return count
  }

  /// Skips within the chunk in hand; past it, drops what was fetched and requests from the
  /// target offset on (nothing skipped is downloaded beyond the chunk already in flight).
  public mutating func skip(_ count: Int64) throws -> Int64 {
    let target = min(entry.size, offset + max(0, count))
    let skipped = target - offset
    if target <= currentStart + Int64(current.count) {
      position = Int(target - currentStart)
      return skipped
    }
    if let pending, target < pending.end {
      current = try pending.wait()
      currentStart = pending.start
      self.pending = nil
      position = Int(target - currentStart)
      startNext()
      return skipped
    }
    pending = nil
    current = Data()
    currentStart = target
    position = 0
    nextOffset = target
    return skipped
  }

  /// Makes the next chunk current; false at the end of the object.
  private mutating func advance() throws -> Bool {
    let nextStart = currentStart + Int64(current.count)
    guard nextStart < entry.size else { return false }
    if pending == nil { startNext() }
    guard let fetch = pending else { return false }
    current = try fetch.wait()
    currentStart = fetch.start
    position = 0
    pending = nil
    startNext()
    return !current.isEmpty
  }

  /// Requests the chunk at `nextOffset` on another thread, unless the object ends before it.
  private mutating func startNext() {
    guard nextOffset < entry.size else { return }
    let end = min(entry.size, nextOffset + Int64(chunkSize))
    pending = Prefetch(client: client, entry: entry, range: nextOffset..<end)
    nextOffset = end
  }

  /// One chunk being fetched on a global queue.
  private final class Prefetch: @unchecked Sendable {
    let start: Int64
    let end: Int64
    private var result: Result<Data, S3Error> = .success(Data())
    private let done = DispatchSemaphore(value: 0)
    private var waited = false

    init(client: S3Client, entry: S3ObjectEntry, range: Range<Int64>) {
      start = range.lowerBound
      end = range.upperBound
      DispatchQueue.global().async { [self] in
        do throws(S3Error) {
          let response = try client.get(entry.key, range: range, ifMatch: entry.etag, expectedSize: entry.size)
          if response.body.count != range.count {
            throw client.changed(
              entry.key, was: "\(entry.size) bytes",
              now: "\(response.body.count) bytes where \(range.count) were asked for")
          }
          result = .success(response.body)
        } catch {
          result = .failure(error)
        }
        done.signal()
      }
    }

    func wait() throws(S3Error) -> Data {
      if !waited {
        done.wait()
        waited = true
      }
      return try result.get()
    }
  }
}
