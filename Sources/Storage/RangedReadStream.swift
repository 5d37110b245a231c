import Archives

/// A remote file read front to back through ranged reads (``RepositoryStore/read(_:range:)``),
/// for readers that skip most of it: walking an uncompressed tar's headers reads the headers
/// and the small files, not the data of the large ones.
///
/// Reads fetch a window of ``window`` bytes at a time; a skip within the window is free, one
/// that lands at most ``readThrough`` bytes past it is read through in the next request
/// (cheaper than another round trip), a longer one only moves the position. `size` (the
/// listing's) is the end: a skip past it stops there, as a seek in a local file does; a file
/// found shorter than listed (changed since) is an error.
public struct RangedReadStream: ByteStream {
  public let path: String
  public let size: Int64
  public let window: Int64
  public let readThrough: Int64
  private let readRange: (Range<Int64>) throws -> [UInt8]
  private var buffer: [UInt8] = []
  private var bufferStart: Int64 = 0
  private var position: Int64 = 0
  /// How many ranged reads were made (for tests and measurements).
  public private(set) var requests = 0

  /// - Parameters:
  ///   - readRange: Reads a byte range of the file (fewer bytes at its end).
  public init(
    path: String, size: Int64, window: Int64 = 1 << 20, readThrough: Int64 = 2 << 20,
    readRange: @escaping (Range<Int64>) throws -> [UInt8]
  ) {
    self.path = path
    self.size = size
    self.window = max(window, 512)
    self.readThrough = readThrough
    self.readRange = readRange
  }

  /// `path` through `stores`, ending at `size`.
  public init(path: String, size: Int64, stores: RepositoryStores) throws {
    let store = try stores.store(for: path)
    self.init(path: path, size: size) { try store.read(path, range: $0) }
  }

  public var name: String? { path }

  private var bufferEnd: Int64 { bufferStart + Int64(buffer.count) }

  public mutating func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !target.isEmpty, position < size else { return 0 }
    if position < bufferStart || position >= bufferEnd {
      try fetch(from: position, to: min(size, position + max(window, Int64(target.count))))
      guard position < bufferEnd else {
        throw ArchiveError(
          .truncated,
          "the file ends before the \(size) bytes it was listed with (it changed since it was listed)",
          offset: position, unit: .fileByte, file: path)
      }
    }
    let offset = Int(position - bufferStart)
    let count = min(target.count, buffer.count - offset)
    buffer.withUnsafeBytes { source in
      target.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
    }
    position += Int64(count)
    return count
  }

  public mutating func skip(_ count: Int64) throws -> Int64 {
    guard count > 0 else { return 0 }
    let target = min(size, position + count)
    if target > bufferEnd, bufferEnd > bufferStart, target - bufferEnd <= readThrough,
      position >= bufferStart
    {
      // Near: the gap and the next window in one request.
      try fetch(from: bufferEnd, to: min(size, target + window))
      if bufferEnd < target {
        // The file ended before the target: as far as its bytes go.
        let reached = max(position, bufferEnd)
        defer { position = reached }
        return reached - position
      }
    }
    let skipped = target - position
    position = target
    return skipped
  }

  /// Replaces the buffer with the bytes of `start..<end` (fewer at the file's end).
  private mutating func fetch(from start: Int64, to end: Int64) throws {
    guard start < end else {
      buffer = []
      bufferStart = start
      return
    }
    requests += 1
    buffer = try readRange(start..<end)
    bufferStart = start
  }
}
