import Foundation
import Testing

@testable import S3

/// The hand-written reader of S3's XML answers (listings and error bodies).
@Suite struct S3XMLReaderTests {
  func listing(_ body: String) -> Data {
    Data(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(body)</ListBucketResult>"
        .utf8)
  }

  func contents(_ key: String) -> String {
    "<Contents><Key>\(key)</Key><LastModified>2026-12-05T00:00:00.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>3</Size></Contents>"
  }

  @Test func keysWithEntitiesAndUnicode() throws {
    let page = try S3XML.listPage(
      listing(
        "<Name>b</Name><Prefix/><IsTruncated>false</IsTruncated>"
          + contents("wal/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;")
          + contents("wal/caf&#233;-&#x1F418;-ÄÖ-日本")
          + contents("<![CDATA[wal/raw & <cdata>]]>")))
    #expect(
      page.entries.map(\.key) == ["wal/a&b <c> \"d\" 'e'", "wal/café-🐘-ÄÖ-日本", "wal/raw & <cdata>"])
    #expect(page.entries.allSatisfy { $0.etag == "e1" && $0.size == 3 })
    #expect(page.nextContinuationToken == nil)
  }

  @Test func truncatedListingGivesItsContinuationToken() throws {
    let truncated = try S3XML.listPage(
      listing(
        "<!-- a comment --><IsTruncated>true</IsTruncated><KeyCount>1</KeyCount>"
          + "<ContinuationToken>before</ContinuationToken><NextContinuationToken>1/a+b=&amp;c</NextContinuationToken>"
          + contents("k")))
    #expect(truncated.nextContinuationToken == "1/a+b=&c")
    #expect(truncated.entries.map(\.key) == ["k"])
    let last = try S3XML.listPage(
      listing("<IsTruncated>false</IsTruncated><NextContinuationToken>ignored</NextContinuationToken>"))
    #expect(last == ListPage(entries: [], nextContinuationToken: nil))
  }

  @Test func errorBodies() {
    let body = Data(
      "<?xml version='1.0' encoding='UTF-8'?>\r\n<Error>\r\n  <Code>NoSuchKey</Code>\r\n  <Message>The key &apos;a&amp;b&apos; does not exist</Message>\r\n  <Key attr=\"x>y\">a&amp;b</Key>\r\n</Error>\r\n"
        .utf8)
    let parsed = S3XML.errorCode(body)
    #expect(parsed?.code == "NoSuchKey" && parsed?.message == "The key 'a&b' does not exist")
    #expect(S3XML.errorCode(Data("<Error><Code>SlowDown</Code></Error>".utf8))?.message == "")
    #expect(S3XML.errorCode(Data("<Other><Code>X</Code></Other>".utf8)) == nil)
    #expect(S3XML.errorCode(Data("Internal Server Error".utf8)) == nil)
    #expect(S3XML.errorCode(Data()) == nil)
  }

  @Test(arguments: [
    "<a><b></a></b>", "<a>&unknown;</a>", "<a>&#xD800;</a>", "<a>AT&T</a>", "<a>", "<a></a><b></b>",
    "text<a></a>", "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", "<a><!-- unclosed </a>", "<a attr=\"></a>", "",
  ])
  func malformedDocumentsAreRefused(_ text: String) {
    #expect(throws: S3XMLReader.Malformed()) { try S3XMLReader.elements(Data(text.utf8)) }
  }

  @Test func unparsableListingIsAnError() {
    #expect(
      throws: S3Error(.unexpectedResponse, "the S3 endpoint answered with XML that does not parse")
    ) { try S3XML.listPage(Data("<ListBucketResult><Contents></ListBucketResult>".utf8)) }
  }

  @Test func elementsComeParentsAfterChildren() throws {
    let elements = try S3XMLReader.elements(Data("<r> <a x='1'>t<b/>u</a><c>v</c></r>".utf8))
    #expect(elements.map(\.path) == [["r", "a", "b"], ["r", "a"], ["r", "c"], ["r"]])
    #expect(elements[1].text == "tu" && elements[1].children == ["b": ""])
    #expect(elements[3].children == ["a": "tu", "c": "v"])
  }
}
