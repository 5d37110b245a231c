import Foundation

/// The AWS shared configuration and credentials files, as the AWS CLI and SDKs read them.
///
/// Both are INI files: `[name]` sections of `key = value` lines, `#` and `;` comments. In the
/// credentials file a section is a profile's name; in the config file it is `[default]` or
/// `[profile NAME]`. Nested blocks (indented lines under `s3 =`) are skipped.
struct SharedConfigFiles: Sendable {
  /// The credentials file's path and its sections, nil when the file does not exist.
  var credentialsPath: String
  var credentials: [String: [String: String]]?
  /// The config file's path and its sections (keyed by profile name), nil when it does not exist.
  var configPath: String
  var config: [String: [String: String]]?
  /// The profile to read: AWS_PROFILE, else `default`.
  var profile: String

  /// Reads the files the environment names (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), or
  /// `~/.aws/credentials` and `~/.aws/config` under HOME.
  static func load(environment: [String: String]) -> SharedConfigFiles {
    let home = environment["HOME"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? ""
    let credentialsPath =
      environment["AWS_SHARED_CREDENTIALS_FILE"].map { expand($0, home) }
      ?? "\(home)/.aws/credentials"
    let configPath = environment["AWS_CONFIG_FILE"].map { expand($0, home) } ?? "\(home)/.aws/config"
    let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    let configSections = read(configPath).map { sections in
      var byProfile: [String: [String: String]] = [:]
      for (name, values) in sections {
        if name == "default" {
          byProfile["default"] = values
        } else if name.hasPrefix("profile ") {
          let profileName = name.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
          byProfile[profileName] = values
        }
      }
      return byProfile
    }
    return SharedConfigFiles(
      credentialsPath: credentialsPath, credentials: read(credentialsPath), configPath: configPath,
      config: configSections, profile: profile)
  }

  /// The profile's value for `key`: the credentials file first, then the config file.
  func value(_ key: String) -> String? {
    credentials?[profile]?[key] ?? config?[profile]?[key]
  }

  /// A config-file-only value (region, endpoint_url).
  func configValue(_ key: String) -> String? {
    config?[profile]?[key]
  }

  private static func expand(_ path: String, _ home: String) -> String {
    path.hasPrefix("~/") ? home + path.dropFirst(1) : path
  }

  private static func read(_ path: String) -> [String: [String: String]]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return parse(String(decoding: data, as: UTF8.self))
  }

  /// Parses INI text into sections of keys and values.
  static func parse(_ text: String) -> [String: [String: String]] {
    var sections: [String: [String: String]] = [:]
    var current: String?
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      let indented = rawLine.first == " " || rawLine.first == "\t"
      let line = rawLine.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") || indented { continue }
      if line.hasPrefix("[") && line.hasSuffix("]") {
        let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        current = name
        sections[name, default: [:]] = sections[name] ?? [:]
        continue
      }
      guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
      let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
      let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
      sections[section]?[key] = value
    }
    return sections
  }
}
