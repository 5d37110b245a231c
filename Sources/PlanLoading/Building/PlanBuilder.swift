import PlanModel
import PostgresVocabulary

/// Turns the checked root section into a `Plan`, and applies the rules that span sections
/// (the data directory must not be inside the backups, settings pitr itself controls).
///
/// It runs only on checked values, so it reports only problems the checker could not see;
/// when a section failed its checks the builder returns `nil` without adding noise.
struct PlanBuilder {
  let context: LoadingContext
  /// The plan file's name without directories or extension.
  let fileStem: String

  func build(_ root: CheckedSection) -> Plan? {
    let backups = root["backups"]?.section.flatMap(buildBackups)
    let destination = root["destination"]?.section.flatMap(buildDestination)
    let target = root["target"]?.section.flatMap(buildTarget)
    let source = root["source"]?.section.map(buildSource)
    let verify = root["verify"]?.list.map { $0.compactMap(buildCheck) } ?? []
    checkRestoreApartFromBackups(root)
    checkLatestTargetPromotes(root)
    guard let version = root["version"]?.integer,
      let action = root["action"]?.keyword(as: RecoveryAction.self),
      let backups, let destination, let target
    else { return nil }
    let name = root["name"]?.text ?? Located(derivedName, at: context.startOfFile)
    return Plan(
      file: context.file, version: version, name: name, source: source, backups: backups,
      target: target, destination: destination, action: action, verify: verify)
  }

  /// The file stem made into a valid plan name.
  private var derivedName: String {
    let cleaned = String(
      fileStem.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" }.prefix(63))
    return cleaned.isEmpty ? "plan" : cleaned
  }

  // MARK: - Sections

  private func buildSource(_ section: CheckedSection) -> SourceCluster {
    SourceCluster(
      systemIdentifier: section["system_identifier"]?.unsigned,
      pgVersion: section["pg_version"]?.integer,
      conninfo: section["conninfo"]?.text,
      switchWAL: section["switch_wal"]?.boolean ?? Located(false, at: section.location))
  }

  private func buildBackups(_ section: CheckedSection) -> Backups? {
    guard let base = section["base"]?.text.flatMap(repositoryLocation),
      let walValue = section["wal"],
      let select = section["select"]?.text
    else { return nil }
    let wal: [Located<RepositoryLocation>]
    if let single = walValue.text {
      guard let location = repositoryLocation(single) else { return nil }
      wal = [location]
    } else {
      wal = (walValue.list ?? []).compactMap { $0.text.flatMap(repositoryLocation) }
    }
    let selection = select.map { text -> BackupSelection in
      switch text {
      case "auto": .auto
      case "latest": .latest
      default: .id(text)
      }
    }
    let s3 = section["s3"]?.section.map { block in
      S3Options(
        endpoint: block["endpoint"]?.text, region: block["region"]?.text,
        pathStyle: block.writtenKeys["path_style"] == nil ? nil : block["path_style"]?.boolean)
    }
    return Backups(base: base, wal: wal, select: selection, s3: s3)
  }

  /// A checked `backups.base` or `backups.wal` value as the location it names.
  private func repositoryLocation(_ text: Located<String>) -> Located<RepositoryLocation>? {
    guard case .success(let location) = RepositoryLocationParser.parse(text.value, path: "")
    else { return nil }
    return Located(location, at: text.location)
  }

  func buildTarget(_ section: CheckedSection) -> RecoveryTarget? {
    let chosen = PlanFormat.targetKinds.filter { section.writtenKeys[$0] != nil }
    guard chosen.count == 1, let key = chosen.first, let value = section[key],
      let inclusive = section["inclusive"]?.boolean,
      let timelineValue = section["timeline"]
    else { return nil }
    let kind: RecoveryTarget.Kind
    switch key {
    case "time":
      guard let text = value.text?.value, case .success(let time) = TargetTimeParser.parse(text)
      else { return nil }
      kind = .time(time)
    case "name":
      guard let name = value.text?.value else { return nil }
      kind = .name(name)
    case "lsn":
      guard let lsn = value.text.flatMap({ LSN($0.value) }) else { return nil }
      kind = .lsn(lsn)
    case "xid":
      guard let xid = value.integer.flatMap({ UInt32(exactly: $0.value) }) else { return nil }
      kind = .xid(xid)
    case "immediate":
      kind = .immediate
    default:
      kind = .latest
    }
    let timeline: Located<TimelineRequest>
    if let number = timelineValue.integer, let id = UInt32(exactly: number.value) {
      timeline = Located(.number(TimelineID(id)), at: number.location)
    } else if let word = timelineValue.text {
      timeline = word.map { $0 == "current" ? .current : .latest }
    } else {
      return nil
    }
    let kindLocation = section.writtenKeys[key] ?? section.location
    return RecoveryTarget(
      kind: Located(kind, at: kindLocation), inclusive: inclusive, timeline: timeline)
  }

  private func buildDestination(_ section: CheckedSection) -> Destination? {
    var tablespaces: [TablespaceMapping] = []
    if case .dictionary(let entries, _)? = section["tablespaces"] {
      for entry in entries {
        guard let location = entry.value.text.map(normalizedPath) else { continue }
        let key: TablespaceMapping.Key =
          entry.key.value.allSatisfy(\.isASCII)
          ? UInt32(entry.key.value).map { .oid($0) } ?? .name(entry.key.value)
          : .name(entry.key.value)
        tablespaces.append(
          TablespaceMapping(tablespace: entry.key.map { _ in key }, location: location))
      }
    }
    var settings: [Setting] = []
    if case .dictionary(let entries, _)? = section["settings"] {
      for entry in entries {
        guard let value = entry.value.text else { continue }
        if let owner = ControlledSettings.owner(of: entry.key.value) {
          context.error(
            "'\(entry.key.value)' cannot be set in 'destination.settings': \(owner)",
            at: entry.key.location)
          continue
        }
        settings.append(Setting(name: entry.key, value: value))
      }
    }
    guard let dataDirectory = section["data_directory"]?.text.map(normalizedPath),
      let port = section["port"]?.integer,
      let archiving = section["archiving"]?.keyword(as: Archiving.self),
      let tuning = section["recovery_tuning"]?.keyword(as: RecoveryTuning.self)
    else { return nil }
    return Destination(
      dataDirectory: dataDirectory, port: port,
      binDir: section["bin_dir"]?.text.map(normalizedPath), osUser: section["os_user"]?.text,
      tablespaces: tablespaces, settings: settings, archiving: archiving,
      recoveryTuning: tuning, combineMode: section["combine_mode"]?.keyword(as: CombineMode.self),
      walPrefetch: section["wal_prefetch"]?.keyword(as: WALPrefetch.self))
  }

  private func buildCheck(_ value: CheckedValue) -> VerificationCheck? {
    guard let section = value.section, let sql = section["sql"]?.text,
      let database = section["database"]?.text
    else { return nil }
    let expectation: Located<VerificationCheck.Expectation>
    if let expect = section["expect"], section.writtenKeys["expect_rows"] == nil,
      let text = expect.optionalText
    {
      expectation = Located(.value(text), at: expect.location)
    } else if let rows = section["expect_rows"], section.writtenKeys["expect"] == nil,
      let list = rows.list
    {
      let cells = list.map { row in (row.list ?? []).map { $0.optionalText ?? nil } }
      expectation = Located(.rows(cells), at: rows.location)
    } else {
      return nil
    }
    return VerificationCheck(
      name: section["name"]?.text, database: database, sql: sql, expectation: expectation,
      location: value.location)
  }

  // MARK: - Rules across sections

  /// The data directory and tablespace locations must not be, contain or lie inside any
  /// backup folder: checked on whatever paths passed their own checks.
  /// With no recovery target PostgreSQL replays to the end of the archived WAL and then
  /// promotes: `recovery_target_action` does not apply, so pausing or stopping cannot be kept.
  private func checkLatestTargetPromotes(_ root: CheckedSection) {
    guard let latest = root["target"]?.section?["latest"], latest.boolean?.value == true,
      let action = root["action"]?.text, action.value != "promote"
    else { return }
    context.error(
      "'action: \(action.value)' cannot be used with 'target.latest': with no recovery target "
        + "PostgreSQL promotes as soon as the archived WAL ends and ignores "
        + "recovery_target_action; use 'action: promote', or give a time, name, lsn or xid "
        + "target to stop before the end",
      at: action.location, notes: [.init("the target is set here", at: latest.location)])
  }

  private func checkRestoreApartFromBackups(_ root: CheckedSection) {
    let backups = root["backups"]?.section
    var backupPaths: [(key: String, path: Located<String>)] = []
    // Only folders on this machine can hold the restore (s3:// and ssh:// are elsewhere).
    if let base = backups?["base"]?.text, base.value.hasPrefix("/") {
      backupPaths.append(("backups.base", base))
    }
    if let wal = backups?["wal"] {
      for path in wal.text.map({ [$0] }) ?? (wal.list ?? []).compactMap(\.text)
      where path.value.hasPrefix("/") {
        backupPaths.append(("backups.wal", path))
      }
    }
    let destination = root["destination"]?.section
    var restorePaths: [(key: String, path: Located<String>)] = []
    if let data = destination?["data_directory"]?.text {
      restorePaths.append(("destination.data_directory", data))
    }
    if case .dictionary(let entries, _)? = destination?["tablespaces"] {
      for entry in entries {
        if let path = entry.value.text { restorePaths.append(("destination.tablespaces", path)) }
      }
    }
    for (restoreKey, rawRestorePath) in restorePaths {
      let restorePath = PathRules.normalize(rawRestorePath.value)
      for (backupKey, rawBackupPath) in backupPaths {
        let backupPath = PathRules.normalize(rawBackupPath.value)
        let relation: String
        if restorePath == backupPath {
          relation = "is the same directory as"
        } else if PathRules.isSameOrInside(restorePath, backupPath) {
          relation = "is inside"
        } else if PathRules.isSameOrInside(backupPath, restorePath) {
          relation = "contains"
        } else {
          continue
        }
        context.error(
          "'\(restoreKey)' (\(restorePath)) \(relation) '\(backupKey)' (\(backupPath)); "
            + "a restore writes there, so choose a directory apart from the backups",
          at: rawRestorePath.location,
          notes: [.init("'\(backupKey)' is set here", at: rawBackupPath.location)])
      }
    }
  }

  private func normalizedPath(_ path: Located<String>) -> Located<String> {
    path.map(PathRules.normalize)
  }
}

extension CheckedValue {
  /// A checked keyword as the enum it names.
  fileprivate func keyword<Keyword: RawRepresentable>(as type: Keyword.Type) -> Located<Keyword>?
  where Keyword.RawValue == String {
    guard let text, let keyword = Keyword(rawValue: text.value) else { return nil }
    return Located(keyword, at: text.location)
  }
}
