/// Tests run programs through the product's `ProcessRunner`.
@_exported import Processes
