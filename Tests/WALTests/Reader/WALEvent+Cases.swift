import WAL

/// The payload of each kind of event, or `nil` for the other kinds.
extension WALEvent {
  /// The transaction end, when it is one.
  var transactionEnd: TransactionEnd? {
    if case .transactionEnd(let end) = self { return end }
    return nil
  }

  var prepare: Prepare? {
    if case .prepare(let prepare) = self { return prepare }
    return nil
  }

  var rowChange: RowChange? {
    if case .rowChange(let change) = self { return change }
    return nil
  }

  var restorePoint: RestorePoint? {
    if case .restorePoint(let point) = self { return point }
    return nil
  }

  var endOfRecovery: EndOfRecovery? {
    if case .endOfRecovery(let end) = self { return end }
    return nil
  }

  var checkpoint: Checkpoint? {
    if case .checkpoint(let checkpoint) = self { return checkpoint }
    return nil
  }
}
