import WAL

/// A relation to use in tests.
let sampleRelation = RelationFileLocator(tablespace: 1663, database: 16_384, relation: 16_386)

/// A commit time: 2026-11-22 15:33:14.835304 UTC (FORMATS.md Appendix A).
let sampleTime = PostgresTimestamp(microsecondsSince2000: 848_676_794_835_304)
