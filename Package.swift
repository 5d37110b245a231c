// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "pitr",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "pitr", targets: ["pitr"])
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    // MARK: - System libraries

    /// zlib, for gzip'd base backups and WAL segments (Debian `zlib1g-dev`).
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    /// libzstd, for zstd-compressed base backups and WAL segments (Debian `libzstd-dev`).
    .systemLibrary(
      name: "CZstd",
      pkgConfig: "libzstd",
      providers: [.apt(["libzstd-dev"])]
    ),
    /// liblz4's frame API, for lz4-compressed base backups and WAL segments (Debian `liblz4-dev`).
    .systemLibrary(
      name: "CLZ4",
      pkgConfig: "liblz4",
      providers: [.apt(["liblz4-dev"])]
    ),
    /// Intel ISA-L's igzip, the fast gzip inflate used for .gz backups and WAL (Debian
    /// `libisal-dev`); zlib stays as the fallback (`PITR_GZIP=zlib`).
    .systemLibrary(
      name: "CISAL",
      pkgConfig: "libisal",
      providers: [.apt(["libisal-dev"])]
    ),
    /// libpq, for the checks run on the restored server (Debian `libpq-dev`).
    .systemLibrary(
      name: "CLibPQ",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),

    // MARK: - Library modules, lowest layer first

    /// Streaming readers for gzip (ISA-L or zlib), zstd, lz4 and tar, with bounded memory.
    .target(
      name: "Archives", dependencies: ["CZlib", "CZstd", "CLZ4", "CISAL"], exclude: ["README.md"]),
    /// CRC-32C with the CPU's instruction (SSE4.2, ARMv8 CRC), chosen at run time by WAL.
    .target(name: "CCRC32C"),
    /// Where repositories are read through: the `RepositoryStore` protocol and `LocalStore`.
    .target(name: "Storage", dependencies: ["Archives"], exclude: ["README.md"]),
    /// PostgreSQL's vocabulary as pure values: LSNs, timelines, segment and WAL file names, majors.
    .target(name: "PostgresVocabulary", exclude: ["README.md"]),
    /// PostgreSQL's WAL decoding: page and record headers, CRC-32C, the reader, the records.
    .target(
      name: "WAL", dependencies: ["PostgresVocabulary", "Archives", "CCRC32C"],
      exclude: ["README.md"]
    ),
    /// Pure values: the plan, its targets, source locations and diagnostics.
    .target(name: "PlanModel", dependencies: ["PostgresVocabulary"], exclude: ["README.md"]),
    /// YAML plan file -> PlanModel, with every value located and every error collected.
    .target(
      name: "PlanLoading",
      dependencies: ["PlanModel", "PostgresVocabulary", .product(name: "Yams", package: "Yams")],
      exclude: ["README.md"]
    ),
    /// What is really in the backup repository: base backups, WAL archive, timelines, windows.
    .target(
      name: "Catalog",
      dependencies: [
        "PlanModel", "PostgresVocabulary", "WAL", "Archives", "Storage",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["README.md"]
    ),
    /// A client for S3-compatible object storage: SigV4, listing, ranged reads, object streams.
    .target(
      name: "S3",
      dependencies: ["Archives", "Storage", .product(name: "Crypto", package: "swift-crypto")],
      exclude: ["README.md"]
    ),
    /// Runs programs with posix_spawn, so daemons they leave behind never hold us up.
    .target(name: "Processes", exclude: ["README.md"]),
    /// Lists and reads files on a backup host through the system's `ssh` (one shared connection).
    .target(name: "SSH", dependencies: ["Processes", "Archives", "Storage"], exclude: ["README.md"]),
    /// A small libpq client: connect, run a query, read text rows.
    .target(name: "PostgresClient", dependencies: ["CLibPQ"], exclude: ["README.md"]),
    /// Plan + catalog -> diagnostics, a prediction and a step graph.
    .target(
      name: "Compiler",
      dependencies: [
        "PlanModel", "Catalog", "PostgresVocabulary", "WAL",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["README.md"]
    ),
    /// Runs a step graph: extraction, config, server control, checks, journal.
    .target(
      name: "Execution",
      dependencies: [
        "Compiler", "PlanModel", "Catalog", "PostgresVocabulary", "WAL", "Archives",
        "PostgresClient", "Processes", "Storage",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["README.md"]
    ),
    /// `pitr demo`: the seed lab's accident on a throw-away cluster.
    .target(name: "Demo", dependencies: ["PostgresClient", "Processes"], exclude: ["README.md"]),
    /// The `pitr` subcommands, one per file.
    .target(
      name: "PITRCommands",
      dependencies: [
        "PlanModel", "PlanLoading", "PostgresVocabulary", "WAL", "Catalog", "Compiler", "Execution",
        "PostgresClient", "Demo", "Storage", "SSH", "S3",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      exclude: ["README.md"]
    ),
    /// The executable: calls PITRCommand.main() and nothing else.
    .executableTarget(name: "pitr", dependencies: ["PITRCommands"], exclude: ["README.md"]),

    // MARK: - Tests

    /// Helpers shared by the test targets: marked YAML, snapshots, fixture writers.
    .target(
      name: "_PITRTestSupport",
      dependencies: [
        "PlanModel", "PlanLoading", "PostgresVocabulary", "WAL", "Archives", "Catalog", "Compiler", "Execution",
        "Processes", "Storage", "SSH", "S3", "CZlib", "CZstd", "CLZ4",
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      path: "Tests/_PITRTestSupport"),
    .testTarget(name: "ArchivesTests", dependencies: ["Archives", "_PITRTestSupport"]),
    .testTarget(name: "SSHTests", dependencies: ["SSH", "Archives", "_PITRTestSupport"]),
    .testTarget(name: "StorageTests", dependencies: ["Storage", "Archives", "_PITRTestSupport"]),
    .testTarget(name: "S3Tests", dependencies: ["S3", "Storage", "Archives", "_PITRTestSupport"]),
    .testTarget(
      name: "PostgresVocabularyTests", dependencies: ["PostgresVocabulary", "_PITRTestSupport"]
    ),
    .testTarget(
      name: "WALTests", dependencies: ["WAL", "PostgresVocabulary", "_PITRTestSupport"]
    ),
    .testTarget(name: "PlanModelTests", dependencies: ["PlanModel", "_PITRTestSupport"]),
    .testTarget(
      name: "PlanLoadingTests",
      dependencies: ["PlanLoading", "PlanModel", "PostgresVocabulary", "_PITRTestSupport"]
    ),
    .testTarget(
      name: "CatalogTests",
      dependencies: [
        "Catalog", "Archives", "Storage", "PostgresVocabulary", "WAL", "PlanModel", "S3", "SSH",
        "_PITRTestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .testTarget(
      name: "CompilerTests",
      dependencies: [
        "Compiler", "Catalog", "PlanLoading", "PlanModel", "PostgresVocabulary", "WAL",
        "_PITRTestSupport",
      ],
      exclude: ["Snapshots"]
    ),
    .testTarget(
      name: "ExecutionTests",
      dependencies: [
        "Execution", "Compiler", "Catalog", "PlanLoading", "PlanModel", "PostgresVocabulary", "WAL",
        "Storage", "Archives", "S3", "SSH", "_PITRTestSupport",
      ]
    ),
    .testTarget(
      name: "PITRCommandsTests",
      dependencies: [
        "PITRCommands", "Execution", "PlanLoading", "PlanModel", "PostgresVocabulary",
        "_PITRTestSupport",
      ],
      exclude: ["Snapshots"]
    ),
  ]
)
