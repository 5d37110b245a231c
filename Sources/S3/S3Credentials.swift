import Foundation

/// An access key, its secret and an optional session token, with where they were found.
///
/// The description shows the access key's last four characters and the source, never the
/// secret or the token.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
  /// The access key ID (AWS_ACCESS_KEY_ID, `aws_access_key_id`).
  public var accessKeyID: String
  /// The secret access key (AWS_SECRET_ACCESS_KEY, `aws_secret_access_key`).
  public var secretAccessKey: String
  /// A temporary session token (AWS_SESSION_TOKEN, `aws_session_token`), when there is one.
  public var sessionToken: String?
  /// Where they came from, for messages: "the environment (AWS_ACCESS_KEY_ID, …)" or a profile.
  public var source: String

  public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "given") {
    self.accessKeyID = accessKeyID
    self.secretAccessKey = secretAccessKey
    self.sessionToken = sessionToken
    self.source = source
  }

  public var description: String {
    "S3Credentials(access key ****\(accessKeyID.suffix(4)), \(sessionToken == nil ? "no" : "with a") session token, from \(source))"
  }

  /// A mirror without the secret or the token, so that `dump` and debuggers don't show them.
  public var customMirror: Mirror {
    Mirror(self, children: ["accessKeyID": "****\(accessKeyID.suffix(4))", "source": source])
  }

  /// The secrets a message must never show.
  var secrets: [String] { [secretAccessKey] + (sessionToken.map { [$0] } ?? []) }

  /// Finds credentials in the standard places, in the AWS CLI's order: AWS_ACCESS_KEY_ID with
  /// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); then the profile AWS_PROFILE names
  /// (`default` without it) in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
  /// `~/.aws/credentials`), then in the config file (AWS_CONFIG_FILE, else `~/.aws/config`).
  ///
  /// - Parameter environment: The process environment (a parameter so tests control it).
  /// - Throws: ``S3Error`` `.noCredentials` naming every place looked at, or
  ///   `.invalidConfiguration` when only half of a pair is set.
  public static func resolve(environment: [String: String]) throws(S3Error) -> S3Credentials {
    let key = environment["AWS_ACCESS_KEY_ID"].flatMap { $0.isEmpty ? nil : $0 }
    let secret = environment["AWS_SECRET_ACCESS_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    switch (key, secret) {
    case (let key?, let secret?):
      let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
      return S3Credentials(
        accessKeyID: key, secretAccessKey: secret, sessionToken: token,
        source: "the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
    case (.some, nil):
      throw S3Error(
        .invalidConfiguration,
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or unset AWS_ACCESS_KEY_ID to use a profile from the shared credentials file"
      )
    case (nil, .some):
      throw S3Error(
        .invalidConfiguration,
        "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or unset AWS_SECRET_ACCESS_KEY to use a profile from the shared credentials file"
      )
    case (nil, nil):
      return try fromProfile(SharedConfigFiles.load(environment: environment))
    }
  }

  private static func fromProfile(_ files: SharedConfigFiles) throws(S3Error) -> S3Credentials {
    let places: [(path: String, sections: [String: [String: String]]?)] = [
      (files.credentialsPath, files.credentials), (files.configPath, files.config),
    ]
    for place in places {
      guard let section = place.sections?[files.profile] else { continue }
      let key = section["aws_access_key_id"].flatMap { $0.isEmpty ? nil : $0 }
      let secret = section["aws_secret_access_key"].flatMap { $0.isEmpty ? nil : $0 }
      if let key, let secret {
        let token = section["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(
          accessKeyID: key, secretAccessKey: secret, sessionToken: token,
          source: "profile '\(files.profile)' in \(place.path)")
      }
      if key != nil || secret != nil {
        throw S3Error(
          .invalidConfiguration,
          "\(place.path): profile '\(files.profile)' has only one of aws_access_key_id and aws_secret_access_key; add the other"
        )
      }
    }
    func state(_ path: String, _ sections: [String: [String: String]]?) -> String {
      guard let sections else { return "\(path) (no such file)" }
      return sections[files.profile] == nil
        ? "\(path) (no profile '\(files.profile)')" : "\(path) (profile '\(files.profile)' has no keys)"
    }
    throw S3Error(
      .noCredentials,
      "no S3 credentials found: looked at AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set), "
        + "\(state(files.credentialsPath, files.credentials)) and \(state(files.configPath, files.config)); "
        + "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add aws_access_key_id and aws_secret_access_key "
        + "to profile '\(files.profile)' in \(files.credentialsPath) (AWS_PROFILE picks another profile)")
  }
}
