import Foundation
import PostgresVocabulary

extension WALSegmentBuilder {
  /// Writes the segments (`segmentFiles()`) into `directory`, gzip'd as `<name>.gz` when
  /// `compressed`, and returns them as `WALFileList` takes them.
  ///
  /// - Parameter segments: only these segment numbers (to leave one out); all when `nil`.
  @discardableResult
  public func write(
    to directory: String, compressed: Bool = false, segments numbers: Set<UInt64>? = nil
  ) throws -> [(name: WALSegmentName, path: String)] {
    var written: [(name: WALSegmentName, path: String)] = []
    for (name, bytes) in segmentFiles() {
      if let numbers, let number = name.segmentNumber(size: segmentSize),
        !numbers.contains(number)
      {
        continue
      }
      let path = "\(directory)/\(name)" + (compressed ? ".gz" : "")
      let contents = compressed ? try gzip(bytes, level: 1) : bytes
      try Data(contents).write(to: URL(fileURLWithPath: path))
      written.append((name, path))
    }
    return written
  }
}
