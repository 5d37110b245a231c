#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The user and group extracted files are given when pitr runs as root: the `os_user` the
/// server will run as, and that user's primary group.
public struct FileOwner: Hashable, Sendable {
  /// The numeric user id.
  public var uid: UInt32
  /// The numeric group id.
  public var gid: UInt32

  /// An owner given by its numeric ids.
  public init(uid: UInt32, gid: UInt32) {
    self.uid = uid
    self.gid = gid
  }

  /// The OS user named `userName`, with its primary group; nil when there is no such user.
  public init?(userName: String) {
    guard let entry = getpwnam(userName) else { return nil }
    self.init(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
  }
}
