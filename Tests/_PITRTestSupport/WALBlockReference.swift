import WAL

/// A block reference of a synthetic WAL record: the page a record changes, with its per-block
/// data and, optionally, a full-page image (FORMATS.md §3.3).
public struct WALBlockReference: Sendable {
  /// The fork: 0 main, 1 fsm, 2 vm, 3 init.
  public var fork: UInt8
  public var relation: RelationFileLocator
  public var block: UInt32
  /// The per-block payload (`BKPBLOCK_HAS_DATA` when not empty).
  public var data: [UInt8]
  /// A full-page image (`BKPBLOCK_HAS_IMAGE`).
  public var image: WALBlockImage?
  /// `BKPBLOCK_WILL_INIT`: the record re-initializes the page.
  public var willInit: Bool

  public init(
    relation: RelationFileLocator, block: UInt32, fork: UInt8 = 0, data: [UInt8] = [],
    image: WALBlockImage? = nil, willInit: Bool = false
  ) {
    self.relation = relation
    self.block = block
    self.fork = fork
    self.data = data
    self.image = image
    self.willInit = willInit
  }
}
