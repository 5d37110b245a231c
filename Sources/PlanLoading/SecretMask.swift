/// Hides passwords in text pitr prints from a plan (a diagnostic's source excerpt): the value
/// of `password=`/`sslpassword=` (keyword form, or a URI's query) and the password of a URI's
/// `user:password@`, the whole `KEY:SECRET@` of an `s3://` URL, and the value of a YAML key
/// naming a credential (`secret_access_key: …`). Each hidden character becomes `*`, so a caret under the line still
/// points at the same column.
public enum SecretMask {
  public static func masked(_ line: some StringProtocol) -> String {
    var text = String(line)
    // keyword=value: quoted ('…' with \-escapes) or up to a space, quote or '&'.
    let keyword = /(?i)(\b(?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'"&]*)/
    text = text.replacing(keyword) { match in
      match.output.1 + hidden(match.output.2)
    }
    // s3://ACCESS_KEY:SECRET@bucket: the key id is a credential too.
    let s3UserInfo = /((?i)s3:\/\/)([^\s\/@"']*)(@)/
    text = text.replacing(s3UserInfo) { match in
      match.output.1 + hidden(match.output.2) + match.output.3
    }
    // A YAML key naming a credential (secret_access_key: …, aws_session_token: …).
    let credentialKey =
      /(?i)^(\s*(?:-\s+)?[A-Za-z0-9_-]*(?:key|secret|token|password|credential)[A-Za-z0-9_-]*\s*:\s*)(\S.*)$/
    text = text.replacing(credentialKey) { match in
      match.output.1 + hidden(match.output.2)
    }
    // The same inside a flow mapping: {region: x, secret_access_key: …}.
    let flowCredentialKey =
      /(?i)([{,]\s*[A-Za-z0-9_-]*(?:key|secret|token|password|credential)[A-Za-z0-9_-]*\s*:\s*)([^,}\s]+)/
    text = text.replacing(flowCredentialKey) { match in
      match.output.1 + hidden(match.output.2)
    }
    // scheme://user:password@host
    let userInfo = /(:\/\/[^\s:\/@"']*:)([^\s\/@"']*)(@)/
    text = text.replacing(userInfo) { match in
      match.output.1 + hidden(match.output.2) + match.output.3
    }
    return text
  }

  private static func hidden(_ secret: Substring) -> Substring {
    Substring(String(repeating: "*", count: secret.count))
  }
}
