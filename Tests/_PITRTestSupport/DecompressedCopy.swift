import Archives

/// Copies the file at `source` to `target`, inflating it when it is gzip'd (told by its
/// magic bytes, as ``DecompressedFileStream`` does), 64 KiB at a time.
public func copyDecompressing(_ source: String, to target: String) throws {
  var stream = try DecompressedFileStream(path: source)
  let sink = try FileSink(path: target)
  defer { sink.close() }
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
  defer { buffer.deallocate() }
  while true {
    let count = try stream.read(into: buffer)
    if count == 0 { break }
    try sink.write(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
  }
}
