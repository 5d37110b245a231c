/// The plan file format, version 1: every section and key, its kind, its default, and the
/// PostgreSQL setting it becomes.
///
/// The loader checks plans against this definition, `pitr schema` turns it into JSON Schema
/// and docs/plan-format.md's reference table is generated from it, so none of them can drift.
public enum PlanFormat {
  /// The only format version this pitr reads.
  public static let currentVersion = 1

  /// The whole file.
  public static let root = SectionDefinition(
    [
      FieldDefinition(
        "version", .integer(1...1), .required,
        "The plan format version. Always 1."),
      FieldDefinition(
        "name", .string(.planName), .derived("the plan file's name without its extension"),
        "A short name used in reports, journals and lock files."),
      FieldDefinition(
        "source", .section(source), .optional,
        "The cluster the backups come from. Everything in it is checked, not trusted."),
      FieldDefinition(
        "backups", .section(backups), .required,
        "Where the base backups and the WAL archive are."),
      FieldDefinition(
        "target", .section(target), .required,
        "Where recovery stops: exactly one of time, name, lsn, xid, immediate or latest."),
      FieldDefinition(
        "destination", .section(destination), .required,
        "Where the restored cluster goes and how its server is set up."),
      FieldDefinition(
        "action", .keyword(["promote", "pause", "shutdown", "promote-if-verified"]), .required,
        setting: "recovery_target_action",
        "What happens at the target. promote-if-verified pauses, runs the checks, and promotes "
          + "only if every check passes."),
      FieldDefinition(
        "verify", .list(.section(check), minimumCount: 1), .optional,
        "SQL checks run on the restored server once the target is reached."),
    ],
    rules: [
      .forbidsWhen(
        key: "action", value: "shutdown", other: "verify",
        reason: "the server is stopped at the target, so there is nothing to run the checks on"),
      .requiresWhen(
        key: "action", value: "promote-if-verified", other: "verify",
        reason: "promote-if-verified promotes only when checks pass, so it needs at least one"),
    ])

  /// `source:`
  public static let source = SectionDefinition(
    [
      FieldDefinition(
        "system_identifier", .unsignedDecimal, .optional,
        "The source cluster's system identifier (pg_controldata's \"Database system "
          + "identifier\"); backups and WAL with another one are refused."),
      FieldDefinition(
        "pg_version", .integer(13...19), .optional,
        "The source's major version; must match the backup's PG_VERSION."),
      FieldDefinition(
        "conninfo", .string(.connectionString), .optional,
        "A libpq connection string to the live source (no password: use PGPASSWORD or "
          + "~/.pgpass)."),
      FieldDefinition(
        "switch_wal", .boolean, .defaulted("false"),
        "pitr apply runs pg_switch_wal() on the source and waits until that segment is "
          + "archived, before anything else (it then checks the plan against the archive); "
          + "pitr validate and pitr plan change nothing and check the archive as it is."),
    ],
    rules: [
      .requiresWhenTrue(
        key: "switch_wal", requirement: "conninfo",
        reason: "pitr connects to the live source to run pg_switch_wal()")
    ])

  /// `backups:`
  public static let backups = SectionDefinition([
    FieldDefinition(
      "base", .string(.repositoryLocation), .required,
      "One pg_basebackup output, or a folder tree of them (such as YYYY/MM/DD/): an absolute "
        + "path, s3://bucket/prefix or ssh://[user@]host[:port]/absolute/path."),
    FieldDefinition(
      "wal",
      .union([.string(.repositoryLocation), .list(.string(.repositoryLocation), minimumCount: 1)]),
      .required, setting: "restore_command",
      "The WAL archive: a folder (flat or in dated sub-folders, files plain, .gz, .zst or .lz4), "
        + "or a list of folders; each a path, s3:// or ssh:// URL as for base. pitr's "
        + "restore_command (pitr wal-fetch) reads from it."),
    FieldDefinition(
      "select", .string(.text), .defaulted("auto"),
      "Which base backup: auto (the newest that ends before the target and whose WAL reaches "
        + "it), latest, or a backup id as `pitr catalog` prints it. An incremental backup "
        + "(pg_basebackup --incremental, 17+) is restored with its chain (full backup first), "
        + "combined by pg_combinebackup; one whose chain is broken is passed over, and naming it "
        + "is an error."),
    FieldDefinition(
      "s3", .section(s3), .optional,
      "How to reach S3 (or an S3-compatible service) for s3:// locations. Never credentials: "
        + "those come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or "
        + "AWS_PROFILE."),
  ])

  /// `backups.s3:`
  public static let s3 = SectionDefinition([
    FieldDefinition(
      "endpoint", .string(.serviceURL), .derived("AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or AWS"),
      "The service's URL, for an S3-compatible store (MinIO, Ceph, moto)."),
    FieldDefinition(
      "region", .string(.awsRegion), .derived("AWS_REGION, AWS_DEFAULT_REGION or us-east-1"),
      "The region requests are signed for."),
    FieldDefinition(
      "path_style", .boolean, .defaulted("false"),
      "true: address buckets as endpoint/bucket/key (most S3-compatible stores) instead of "
        + "bucket.endpoint/key."),
  ])

  /// Keys a credential would be written under; `backups.s3` refuses them with where
  /// credentials come from instead.
  static func isCredentialKey(_ key: String) -> Bool {
    let lowered = key.lowercased()
    return ["key", "secret", "token", "password", "credential"].contains { lowered.contains($0) }
  }

  /// The keys of `target:` that choose the kind of target.
  public static let targetKinds = ["time", "name", "lsn", "xid", "immediate", "latest"]

  /// `target:`
  public static let target = SectionDefinition(
    [
      FieldDefinition(
        "time", .string(.timestamp), .optional, setting: "recovery_target_time",
        "Stop at the last transaction that ended at or before this time (before it, with "
          + "inclusive: false). Without a zone it is read in the backup's timezone setting."),
      FieldDefinition(
        "name", .string(.restorePointName), .optional, setting: "recovery_target_name",
        "Stop at the restore point made with pg_create_restore_point() of this name."),
      FieldDefinition(
        "lsn", .string(.lsn), .optional, setting: "recovery_target_lsn",
        "Stop at this WAL location."),
      FieldDefinition(
        "xid", .integer(1...Int(UInt32.max)), .optional, setting: "recovery_target_xid",
        "Stop at the commit or abort of this transaction id."),
      FieldDefinition(
        "immediate", .trueFlag, .optional, setting: "recovery_target",
        "Stop as soon as the backup is consistent."),
      FieldDefinition(
        "latest", .trueFlag, .optional,
        "Replay all the archived WAL."),
      FieldDefinition(
        "inclusive", .boolean, .defaulted("true"), setting: "recovery_target_inclusive",
        "Stop just after the target (true) or just before it (false). Only with time, lsn "
          + "and xid."),
      FieldDefinition(
        "timeline",
        .union([.keyword(["latest", "current"]), .integer(1...Int(UInt32.max))]),
        .defaulted("latest"), setting: "recovery_target_timeline",
        "The timeline to recover along: latest (the newest in the archive), current (the "
          + "backup's), or a number."),
    ],
    rules: [
      .exactlyOne(targetKinds, noun: "a target"),
      .onlyWith(
        key: "inclusive", companions: ["time", "lsn", "xid"],
        reason: "PostgreSQL ignores recovery_target_inclusive for other targets"),
    ])

  /// `destination:`
  public static let destination = SectionDefinition([
    FieldDefinition(
      "data_directory", .string(.absolutePath), .required,
      "The new data directory. It must be absent or empty, and not inside the backups."),
    FieldDefinition(
      "port", .integer(1...65535), .required, setting: "port",
      "The port the restored server listens on."),
    FieldDefinition(
      "bin_dir", .string(.absolutePath), .derived("the pg_ctl found on PATH"),
      "Where pg_ctl and postgres are. Their major version must match the backup's."),
    FieldDefinition(
      "os_user", .string(.osUser), .derived("the user running pitr"),
      "When pitr runs as root, the server binaries run as this user and it owns the files."),
    FieldDefinition(
      "tablespaces", .dictionary(key: .tablespaceKey, value: .string(.absolutePath)),
      .optional,
      "New locations for the backup's tablespaces, by OID or name (an incremental chain's too: "
        + "pg_combinebackup writes them there)."),
    FieldDefinition(
      "settings", .dictionary(key: .settingName, value: .scalarText(singleLine: true, allowsNull: false)),
      .optional,
      "Extra postgresql.auto.conf entries. Each value is one line of text."),
    FieldDefinition(
      "archiving", .keyword(["off", "keep"]), .defaulted("off"), setting: "archive_mode",
      "off: the restored server never archives (it must not write into the source's "
        + "archive); once promoted, archive_command = 'false' too. keep: leave the backup's "
        + "archive settings."),
    FieldDefinition(
      "recovery_tuning", .keyword(["off", "auto"]), .defaulted("off"),
      "auto: settings that speed up replay (shared_buffers from the memory, prefetching, "
        + "restartpoint spacing), for the replay only: left out after promotion."),
    FieldDefinition(
      "wal_prefetch", .keyword(["on", "off"]), .defaulted("on"),
      "on: decompress the WAL recovery will ask for into a spool beside the data directory, "
        + "ahead of recovery (it needs room for that WAL decompressed). off: pitr wal-fetch reads "
        + "each segment from the archive when recovery asks for it."),
    FieldDefinition(
      "combine_mode", .keyword(["copy", "copy-file-range", "clone", "link"]), .defaulted("copy"),
      "How pg_combinebackup writes an incremental chain's files (17+): copy, copy-file-range, "
        + "clone (reflinks, when the file system has them) or link (18+)."),
  ])

  /// One entry of `verify:`.
  public static let check = SectionDefinition(
    [
      FieldDefinition(
        "name", .string(.text), .derived("the SQL"),
        "A label for the check in reports."),
      FieldDefinition(
        "database", .string(.databaseName), .defaulted("postgres"),
        "The database the SQL runs in."),
      FieldDefinition(
        "sql", .string(.multilineText), .required,
        "The query. It runs read-only, once the target is reached."),
      FieldDefinition(
        "expect", .scalarText(singleLine: false, allowsNull: true), .optional,
        "The single value the query must return, as text (null for SQL NULL)."),
      FieldDefinition(
        "expect_rows",
        .list(.list(.scalarText(singleLine: false, allowsNull: true), minimumCount: 1), minimumCount: 0),
        .optional,
        "Every row the query must return, in order: a list of rows, each a list of values as "
          + "text."),
    ],
    rules: [.exactlyOne(["expect", "expect_rows"], noun: "an expectation")])
}
