import Archives
import Testing

@Suite struct ArchivePathTests {
  @Test(arguments: [
    ("backup_label", "backup_label"),
    ("./pg_wal/archive_status/", "pg_wal/archive_status"),
    ("pg_wal/", "pg_wal"),
    ("global/pg_control", "global/pg_control"),
    ("./", ""),
    (".", ""),
    ("a//b/./c/", "a/b/c"),
    ("././x", "x"),
  ])
  func normalizes(stored: String, normalized: String) {
    let path = ArchivePath(stored)
    #expect(path.normalized == normalized)
    #expect(path.stored == stored)
    #expect(!path.escapes)
    #expect(path.escapeReason == nil)
  }

  @Test(arguments: [
    ("/etc/passwd", "'/etc/passwd' is an absolute path"),
    ("../outside", "'../outside' has a '..' component"),
    ("pg_wal/../../outside", "'pg_wal/../../outside' has a '..' component"),
    ("./a/..", "'./a/..' has a '..' component"),
    ("//twice", "'//twice' is an absolute path"),
  ])
  func flagsEscapingPaths(stored: String, reason: String) {
    let path = ArchivePath(stored)
    #expect(path.escapes)
    #expect(path.escapeReason == reason)
  }

  @Test func dotsInsideNamesAreNotParentComponents() {
    #expect(!ArchivePath("a/..b/c..").escapes)
    #expect(ArchivePath("pg_wal/000000010000000000000002.partial").components.count == 2)
  }
}
