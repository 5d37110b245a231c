import Testing

@testable import Execution

extension ExtractionTests {
  @Suite struct ProgressMeterTests {
    @Test func reportsNoMoreOftenThanOncePerMiBAndOncePer200Milliseconds() {
      let start = ContinuousClock.now
      var meter = ProgressMeter(totalBytes: 10 << 20, start: start)
      let chunk = 256 * 1024

      // 1 MiB written within 200 ms: not yet.
      for _ in 0..<4 {
        #expect(meter.add(chunk, file: "a", now: start + .milliseconds(100)) == nil)
      }
      // 200 ms passed, and a MiB since the start: due.
      let first = meter.add(chunk, file: "a", now: start + .milliseconds(250))
      #expect(
        first
          == ExtractionProgress(
            bytesWritten: 5 * 256 * 1024, totalBytes: 10 << 20, currentFile: "a"))
      // A second later, but less than a MiB more: not due.
      #expect(meter.add(chunk, file: "b", now: start + .seconds(2)) == nil)
      // Another MiB, but within 200 ms of the first report: not due.
      for _ in 0..<4 {
        #expect(meter.add(chunk, file: "b", now: start + .milliseconds(300)) == nil)
      }
      #expect(meter.add(chunk, file: "b", now: start + .milliseconds(460))?.currentFile == "b")
      #expect(
        meter.final(file: "c")
          == ExtractionProgress(
            bytesWritten: 11 * 256 * 1024, totalBytes: 11 * 256 * 1024, currentFile: "c"))
    }
  }
}
