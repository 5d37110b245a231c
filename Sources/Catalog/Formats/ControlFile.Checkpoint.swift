import Foundation
import PostgresVocabulary

extension ControlFile {
  /// The copy of the latest checkpoint record pg_control keeps (`checkPointCopy`).
  public struct Checkpoint: Hashable, Sendable {
    /// Where replay starts for this checkpoint (REDO location).
    public var redo: LSN
    /// The timeline the checkpoint was written on.
    public var timeline: TimelineID
    /// The previous timeline: the same as `timeline` unless this is the first checkpoint
    /// after a timeline switch.
    public var previousTimeline: TimelineID
    public var fullPageWrites: Bool
    /// The next transaction id with its epoch in the high 32 bits (`FullTransactionId`).
    public var nextFullTransactionID: UInt64
    public var nextOID: UInt32
    /// When the checkpoint started.
    public var time: Date

    public init(
      redo: LSN, timeline: TimelineID, previousTimeline: TimelineID, fullPageWrites: Bool,
      nextFullTransactionID: UInt64, nextOID: UInt32, time: Date
    ) {
      self.redo = redo
      self.timeline = timeline
      self.previousTimeline = previousTimeline
      self.fullPageWrites = fullPageWrites
      self.nextFullTransactionID = nextFullTransactionID
      self.nextOID = nextOID
      self.time = time
    }

    /// The next transaction id as pg_controldata prints it: `epoch:xid`.
    public var nextTransactionIDText: String {
      "\(nextFullTransactionID >> 32):\(nextFullTransactionID & 0xFFFF_FFFF)"
    }

    /// Reads the `CheckPoint` struct at `offset`: 88 bytes in 13 to 18 (17 put wal_level in
    /// former padding); 96 in 19, where logicalDecodingEnabled moves nextXid to 32 and a
    /// 64-bit nextMultiOffset moves the time to 72.
    init(_ bytes: LittleEndianBytes, at offset: Int, controlVersion: UInt32) {
      let (nextXid, time) = controlVersion >= 1902 ? (32, 72) : (24, 64)
      redo = LSN(rawValue: bytes.uint64(at: offset))
      timeline = TimelineID(bytes.uint32(at: offset + 8))
      previousTimeline = TimelineID(bytes.uint32(at: offset + 12))
      fullPageWrites = bytes.bool(at: offset + 16)
      nextFullTransactionID = bytes.uint64(at: offset + nextXid)
      nextOID = bytes.uint32(at: offset + nextXid + 8)
      self.time = Date(timeIntervalSince1970: TimeInterval(bytes.int64(at: offset + time)))
    }
  }
}
