import PostgresVocabulary
import Testing

@Suite struct LSNTests {
  @Test(arguments: [
    ("0/3007528", 0x300_7528 as UInt64), ("16/B374D848", 0x16_B374_D848), ("FFFFFFFF/FFFFFFFF", UInt64.max),
    ("0/0", 0), ("a/b", 0xA_0000_000B),
  ])
  func parsesAndPrints(text: String, value: UInt64) {
    #expect(LSN(text)?.rawValue == value)
    #expect(LSN(rawValue: value).description == text.uppercased())
  }

  @Test(arguments: ["", "0", "0/", "/0", "0/0/0", "123456789/0", "0/G", " 0/1", "0x0/1", "-1/0"])
  func rejects(text: String) {
    #expect(LSN(text) == nil)
  }

  @Test func ordersByPosition() {
    #expect(LSN("0/FFFFFFFF")! < LSN("1/0")!)
  }

  @Test func timelineFileNamePart() {
    #expect(TimelineID(2).fileNamePart == "00000002")
    #expect(TimelineID(0x1A).fileNamePart == "0000001A")
  }
}
