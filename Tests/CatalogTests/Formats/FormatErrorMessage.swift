import Catalog

/// The description of the `CatalogFormatError` that `parse` throws; `nil` when it succeeds.
func formatErrorMessage<Value>(_ parse: () throws -> Value) -> String? {
  do {
    _ = try parse()
    return nil
  } catch let error as CatalogFormatError {
    return error.description
  } catch {
    return "not a CatalogFormatError: \(error)"
  }
}
