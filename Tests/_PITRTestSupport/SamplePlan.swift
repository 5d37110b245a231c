/// Plan texts for tests to build on.
public enum SamplePlan {
  /// A small valid plan (a time target, promote); tests break it in one place with
  /// `replacing(_:with:)`.
  public static let base = """
    version: 1
    backups:
      base: /backups/base
      wal: /backups/wal
    target:
      time: "2025-12-24 17:53:00-07"
    destination:
      data_directory: /srv/pg/restore
      port: 5599
    action: promote

    """
}
