import Foundation

/// The ``S3Error`` for each way a request fails, each message ending with the fix.
extension S3Client {
  /// The error for a final non-success answer.
  func failure(_ response: S3HTTPResponse, key: String?) -> S3Error {
    let parsed = S3XML.errorCode(response.body)
    let code = parsed?.code ?? response.headers["x-amz-error-code"]
    let what = key.map { "s3://\(bucket)/\($0)" } ?? "s3://\(bucket)"
    let error: S3Error
    switch (response.status, code) {
    case (_, "NoSuchBucket"):
      error = bucketMissing()
    case (_, "NoSuchKey"):
      error = keyMissing(what)
    case (404, nil) where key != nil:
      error = keyMissing(what)
    case (404, nil):
      error = bucketMissing()
    case (403, _), (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"), (_, "AccessDenied"):
      let detail = code.map { " (\($0)\(parsed.map { $0.message.isEmpty ? "" : ": " + $0.message } ?? ""))" } ?? ""
      error = S3Error(
        .accessDenied,
        "access denied to \(what) at \(endpointText)\(detail) with credentials from \(credentials.source); "
          + "check the access key and its secret, and that their policy allows s3:ListBucket and s3:GetObject on the bucket"
      )
    case (301, _), (_, "PermanentRedirect"), (_, "AuthorizationHeaderMalformed"):
      let region = response.headers["x-amz-bucket-region"].map { " (it is in \($0))" } ?? ""
      error = S3Error(
        .unexpectedResponse,
        "bucket '\(bucket)' is not in region \(configuration.region)\(region); set AWS_REGION or backups.s3.region to the bucket's region"
      )
    default:
      let detail = code.map { " \($0)\(parsed.map { $0.message.isEmpty ? "" : ": " + $0.message } ?? "")" } ?? ""
      error = S3Error(
        .unexpectedResponse,
        "the S3 endpoint \(endpointText) answered HTTP \(response.status)\(detail) for \(what); check the endpoint and that it speaks the S3 API"
      )
    }
    return error.redacting(credentials.secrets)
  }

  func keyMissing(_ what: String) -> S3Error {
    S3Error(.keyMissing, "\(what) does not exist; check the key (was it deleted or expired since it was listed?)")
  }

  func bucketMissing() -> S3Error {
    S3Error(
      .bucketMissing,
      "bucket '\(bucket)' does not exist at \(endpointText); check the bucket name in the s3:// URL, the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint) and the region"
    )
  }

  func unreachable(_ error: any Error, attempts: Int) -> S3Error {
    let reason = (error as? S3TransportError)?.description ?? String(describing: error)
    return S3Error(
      .endpointUnreachable,
      "cannot reach the S3 endpoint \(endpointText) (\(reason)) after \(attempts) attempt\(attempts == 1 ? "" : "s"); "
        + "check the endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or backups.s3.endpoint), the network, and that the service is running"
    ).redacting(credentials.secrets)
  }

  func serverFailure(_ response: S3HTTPResponse, code: String?, attempts: Int) -> S3Error {
    S3Error(
      .serverError,
      "the S3 endpoint \(endpointText) kept failing (HTTP \(response.status)\(code.map { " " + $0 } ?? "")) after \(attempts) attempts; "
        + "the service is overloaded or down: try again later"
    ).redacting(credentials.secrets)
  }

  func changed(_ key: String, was: String, now: String) -> S3Error {
    S3Error(
      .objectChanged,
      "s3://\(bucket)/\(key) changed while it was being read (\(was) when opened, now \(now)); something rewrote it: run again once its writer is done"
    )
  }
}
