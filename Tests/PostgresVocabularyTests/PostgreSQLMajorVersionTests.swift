import PostgresVocabulary
import Testing

@Suite struct PostgreSQLMajorVersionTests {
  /// The version table of FORMATS.md §0.
  @Test(arguments: [
    (1300 as UInt32, 202_007_201 as UInt32, 13 as Int?), (1300, 202_107_181, 14),
    (1300, 202_209_061, 15), (1300, 202_307_071, 16), (1700, 202_406_281, 17),
    (1800, 202_506_291, 18), (1201, 201_909_212, nil), (1300, 201_909_212, nil),
    (1002, 201_707_211, nil), (1900, 202_606_011, nil),
  ])
  func fromControlFileVersions(control: UInt32, catalog: UInt32, major: Int?) {
    let version = PostgreSQLMajorVersion(controlVersion: control, catalogVersion: catalog)
    #expect(version?.rawValue == major)
  }

  @Test func knowsWhichReleasesAreSupported() {
    #expect(PostgreSQLMajorVersion(15).isSupported)
    #expect(!PostgreSQLMajorVersion(12).isSupported)
    #expect(PostgreSQLMajorVersion(19).isSupported)
    #expect(!PostgreSQLMajorVersion(20).isSupported)
    #expect(PostgreSQLMajorVersion(13) < PostgreSQLMajorVersion(18))
  }
}
