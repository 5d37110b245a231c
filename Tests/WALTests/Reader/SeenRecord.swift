import PostgresVocabulary
import WAL

/// One record as a test saw it in the reader's callback (copied out: the bytes are not).
struct SeenRecord {
  var lsn: LSN
  var nextLSN: LSN
  var transactionID: UInt32
  var resourceManager: UInt8
  var info: UInt8
  var timeline: TimelineID
  var length: Int
  var event: WALEvent?
  var bytes: [UInt8]
}
