import PostgresVocabulary
import WAL
import _PITRTestSupport

/// One seeded random change to a set of segment files, for fuzzing the reader.
enum WALMutation: CustomStringConvertible {
  /// Flip one bit.
  case flipBit(file: Int, offset: Int, bit: Int)
  /// Cut a file short.
  case truncate(file: Int, length: Int)
  /// Zero one page.
  case zeroPage(file: Int, page: Int)
  /// Copy one page over another.
  case duplicatePage(from: (file: Int, page: Int), to: (file: Int, page: Int))
  /// Exchange two pages.
  case swapPages((file: Int, page: Int), (file: Int, page: Int))
  /// Overwrite a record's `xl_tot_len`.
  case totalLength(file: Int, offset: Int, value: UInt32)
  /// Scribble on a record that lies on one page, then give it a valid CRC again, so that the
  /// decoders see garbage the reader lets through.
  case scribbleWithValidCRC(file: Int, offset: Int, length: Int, changes: [(Int, UInt8)])
  /// Overwrite one field of a page header with a random value.
  case pageHeaderField(file: Int, page: Int, field: Int, value: UInt64)
  /// Leave a file out.
  case dropFile(Int)

  var description: String {
    switch self {
    case .flipBit(let file, let offset, let bit): "flip bit \(bit) of file \(file) byte \(offset)"
    case .truncate(let file, let length): "truncate file \(file) to \(length) bytes"
    case .zeroPage(let file, let page): "zero page \(page) of file \(file)"
    case .duplicatePage(let from, let to): "copy page \(from) over page \(to)"
    case .swapPages(let first, let second): "swap pages \(first) and \(second)"
    case .totalLength(let file, let offset, let value):
      "xl_tot_len \(value) for the record at file \(file) byte \(offset)"
    case .scribbleWithValidCRC(let file, let offset, let length, let changes):
      "scribble \(changes.count) bytes on the \(length)-byte record at file \(file) byte \(offset)"
    case .pageHeaderField(let file, let page, let field, let value):
      "page header field \(field) of file \(file) page \(page) := \(value)"
    case .dropFile(let file): "drop file \(file)"
    }
  }

  /// Page header fields: offset and size of magic, info, tli, pageaddr, rem_len.
  static let headerFields: [(offset: Int, size: Int)] = [(0, 2), (2, 2), (4, 4), (8, 8), (16, 4)]

  /// Where the records of a corpus entry are: file index and offset, and length.
  struct RecordPlace {
    var file: Int
    var offset: Int
    var length: Int
  }

  /// A random mutation of `files`.
  ///
  /// - Parameters:
  ///   - used: how many bytes of each file hold records (most changes land there); as many
  ///     entries as `files` has, or more.
  ///   - records: where whole records are, for the record-aware mutations.
  static func random(
    files: [[UInt8]], used: [Int], records: [RecordPlace], blockSize: Int,
    using random: inout SeededRandom
  ) -> WALMutation {
    guard !files.isEmpty else { return .dropFile(0) }
    let file = Int.random(in: 0..<files.count, using: &random)
    let size = max(files[file].count, 1)
    func offset() -> Int {
      let limit = Int.random(in: 0..<5, using: &random) == 0 ? size : max(used[file], 1)
      return Int.random(in: 0..<min(limit, size), using: &random)
    }
    func page(in file: Int) -> Int {
      let pages = max(files[file].count / blockSize, 1)
      let usedPages = max((used[file] + blockSize - 1) / blockSize, 1)
      return Int.random(in: 0..<(Bool.random(using: &random) ? usedPages : pages), using: &random)
    }
    func anyPage() -> (file: Int, page: Int) {
      let file = Int.random(in: 0..<files.count, using: &random)
      return (file, page(in: file))
    }
    switch Int.random(in: 0..<12, using: &random) {
    case 0, 1, 2:
      return .flipBit(file: file, offset: offset(), bit: Int.random(in: 0..<8, using: &random))
    case 3: return .truncate(file: file, length: offset())
    case 4: return .zeroPage(file: file, page: page(in: file))
    case 5: return .duplicatePage(from: anyPage(), to: anyPage())
    case 6: return .swapPages(anyPage(), anyPage())
    case 7, 8:
      guard let record = records.randomElement(using: &random) else { return .dropFile(file) }
      let values: [UInt32] = [
        .random(in: 0...UInt32.max, using: &random), 0x7FFF_FFFF, .max, 1020 << 20,
        (1020 << 20) + 1, UInt32(1020 << 20) - 1, .random(in: 0..<24, using: &random),
        UInt32(max(record.length + Int.random(in: -16...16, using: &random), 0)),
        UInt32(blockSize * Int.random(in: 1...200, using: &random)),
      ]
      return .totalLength(
        file: record.file, offset: record.offset, value: values.randomElement(using: &random)!)
    case 9:
      let onePage = records.filter {
        $0.offset / blockSize == ($0.offset + $0.length - 1) / blockSize
      }
      guard let record = onePage.randomElement(using: &random) else { return .dropFile(file) }
      let changes = (0..<Int.random(in: 1...6, using: &random)).map { _ in
        (
          Int.random(in: 4..<record.length, using: &random),
          UInt8.random(in: 0...255, using: &random)
        )
      }
      return .scribbleWithValidCRC(
        file: record.file, offset: record.offset, length: record.length, changes: changes)
    case 10:
      let field = Int.random(in: 0..<headerFields.count, using: &random)
      let value: UInt64 =
        Bool.random(using: &random)
        ? .random(in: 0...UInt64.max, using: &random) : .random(in: 0...16, using: &random)
      return .pageHeaderField(file: file, page: page(in: file), field: field, value: value)
    default:
      return .dropFile(file)
    }
  }

  /// The first WAL position the change can affect, given the files before it is applied:
  /// every record that ends on a page before it must still be delivered.
  func firstDamage(
    in files: [(name: WALSegmentName, bytes: [UInt8])], segmentSize: WALSegmentSize,
    blockSize: Int
  ) -> UInt64 {
    func at(_ file: Int, _ offset: Int) -> UInt64 {
      guard file < files.count, let number = files[file].name.segmentNumber(size: segmentSize)
      else { return .max }
      return number * segmentSize.bytes + UInt64(offset)
    }
    switch self {
    case .flipBit(let file, let offset, _): return at(file, offset)
    case .truncate(let file, let length): return at(file, length)
    case .zeroPage(let file, let page): return at(file, page * blockSize)
    case .duplicatePage(_, let to): return at(to.file, to.page * blockSize)
    case .swapPages(let first, let second):
      return min(at(first.file, first.page * blockSize), at(second.file, second.page * blockSize))
    case .totalLength(let file, let offset, _): return at(file, offset)
    case .scribbleWithValidCRC(let file, let offset, _, _): return at(file, offset)
    case .pageHeaderField(let file, let page, _, _): return at(file, page * blockSize)
    case .dropFile(let file): return at(file, 0)
    }
  }

  /// Where a record was rewritten with a valid CRC, if this change did that.
  func rewrittenRecord(
    in files: [(name: WALSegmentName, bytes: [UInt8])], segmentSize: WALSegmentSize
  ) -> LSN? {
    guard case .scribbleWithValidCRC(let file, let offset, _, _) = self, file < files.count,
      let number = files[file].name.segmentNumber(size: segmentSize)
    else { return nil }
    return LSN(rawValue: number * segmentSize.bytes + UInt64(offset))
  }

  /// Applies the change; file indexes that no longer exist (after a drop) are ignored.
  func apply(to files: inout [(name: WALSegmentName, bytes: [UInt8])], blockSize: Int) {
    func pageRange(_ place: (file: Int, page: Int)) -> Range<Int>? {
      guard place.file < files.count else { return nil }
      let start = place.page * blockSize
      guard start + blockSize <= files[place.file].bytes.count else { return nil }
      return start..<start + blockSize
    }
    switch self {
    case .flipBit(let file, let offset, let bit):
      guard file < files.count, offset < files[file].bytes.count else { return }
      files[file].bytes[offset] ^= 1 << bit
    case .truncate(let file, let length):
      guard file < files.count, length < files[file].bytes.count else { return }
      files[file].bytes.removeSubrange(length...)
    case .zeroPage(let file, let page):
      guard let range = pageRange((file, page)) else { return }
      files[file].bytes.replaceSubrange(range, with: repeatElement(0, count: blockSize))
    case .duplicatePage(let from, let to):
      guard let source = pageRange(from), let target = pageRange(to) else { return }
      let bytes = Array(files[from.file].bytes[source])
      files[to.file].bytes.replaceSubrange(target, with: bytes)
    case .swapPages(let first, let second):
      guard let one = pageRange(first), let two = pageRange(second) else { return }
      let a = Array(files[first.file].bytes[one])
      let b = Array(files[second.file].bytes[two])
      files[first.file].bytes.replaceSubrange(one, with: b)
      files[second.file].bytes.replaceSubrange(two, with: a)
    case .totalLength(let file, let offset, let value):
      guard file < files.count, offset + 4 <= files[file].bytes.count else { return }
      files[file].bytes.replaceSubrange(offset..<offset + 4, with: WALBytes.of(value))
    case .scribbleWithValidCRC(let file, let offset, let length, let changes):
      guard file < files.count, offset + length <= files[file].bytes.count else { return }
      var record = Array(files[file].bytes[offset..<offset + length])
      for (index, value) in changes where !(20..<24).contains(index) { record[index] = value }
      let total = Int(
        UInt32(record[0]) | UInt32(record[1]) << 8 | UInt32(record[2]) << 16 | UInt32(record[3])
          << 24)
      if total >= 24, total <= record.count {
        var crc = CRC32C()
        crc.update(record[24..<total])
        crc.update(record[..<20])
        record.replaceSubrange(20..<24, with: WALBytes.of(crc.value))
      }
      files[file].bytes.replaceSubrange(offset..<offset + length, with: record)
    case .pageHeaderField(let file, let page, let field, let value):
      guard let range = pageRange((file, page)) else { return }
      let (offset, size) = Self.headerFields[field]
      let bytes = Array(WALBytes.of(value).prefix(size))
      files[file].bytes.replaceSubrange(
        range.lowerBound + offset..<range.lowerBound + offset + size, with: bytes)
    case .dropFile(let file):
      guard file < files.count else { return }
      files.remove(at: file)
    }
  }
}
