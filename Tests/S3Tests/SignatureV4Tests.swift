import Foundation
import Testing

@testable import S3

/// AWS's published Signature V4 examples, signature for signature.
@Suite struct SignatureV4Tests {
  let suiteCredentials = S3Credentials(
    accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

  @Test func getVanilla() {
    let header = SignatureV4(service: "service", region: "us-east-1").authorization(
      method: "GET", path: "/", query: [],
      headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
      payloadHash: SignatureV4.emptyPayloadHash, amzDate: "20150830T123600Z", credentials: suiteCredentials)
    #expect(
      header
        == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
    )
  }

  @Test func getVanillaQueryOrder() {
    let header = SignatureV4(service: "service", region: "us-east-1").authorization(
      method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")],
      headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
      payloadHash: SignatureV4.emptyPayloadHash, amzDate: "20150830T123600Z", credentials: suiteCredentials)
    #expect(header.hasSuffix("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
  }

  /// The S3 documentation's "GET Object" example (first 10 bytes of test.txt).
  @Test func s3GetObjectExample() {
    let credentials = S3Credentials(
      accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    let header = SignatureV4(region: "us-east-1").authorization(
      method: "GET", path: "/test.txt", query: [],
      headers: [
        ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
        ("x-amz-content-sha256", SignatureV4.emptyPayloadHash), ("x-amz-date", "20130524T000000Z"),
      ],
      payloadHash: SignatureV4.emptyPayloadHash, amzDate: "20130524T000000Z", credentials: credentials)
    #expect(
      header
        == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
  }

  @Test func encodingAndDates() {
    #expect(SignatureV4.encode("a b/c~d*é") == "a%20b%2Fc~d%2A%C3%A9")
    #expect(SignatureV4.encode("wal/0000 1", keepSlash: true) == "wal/0000%201")
    #expect(SignatureV4.amzDate(Date(timeIntervalSince1970: 1_369_353_600)) == "20130524T000000Z")
    #expect(SignatureV4.amzDate(Date(timeIntervalSince1970: 1_440_938_160)) == "20150830T123600Z")
  }
}
