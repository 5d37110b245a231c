import Testing

@testable import Catalog

/// The heap page decoder on pages built in the test: line pointers, tuple headers, null
/// bitmaps, alignment, and what the hint bits say.
@Suite struct HeapPageTests {
  typealias Builder = HeapPageBuilder

  @Test func storedTuplesAreReadInLinePointerOrderAndOthersSkipped() {
    let page = Builder.page([
      .init(xmin: 700, values: Builder.namespaceRow(oid: 11, name: "pg_catalog")),
      .init(xmin: 701, values: Builder.namespaceRow(oid: 99, name: "dead"), lineFlags: 3),
      .init(xmin: 702, xmax: 705, infomask: 0x0100, values: Builder.namespaceRow(oid: 2200, name: "public")),
    ])
    let tuples = HeapPage(page[...]).tuples
    #expect(tuples.map(\.item) == [1, 3])
    #expect(tuples.map(\.xmin) == [700, 702])
    #expect(tuples.map(\.xmax) == [0, 705])
    #expect(tuples.map(\.attributeCount) == [4, 4])
    let layout = CatalogRowLayout.namespace
    #expect(tuples.map { layout.name("nspname", in: $0) } == ["pg_catalog", "public"])
    #expect(tuples.map { layout.uint32("oid", in: $0) } == [11, 2200])
    #expect(tuples.map { layout.uint32("nspowner", in: $0) } == [10, 10])
    // The null bitmap says the fourth column (nspacl) is null.
    #expect(tuples[0].isNull(3) && !tuples[0].isNull(0) && tuples[0].isNull(4))
  }

  @Test func aZeroPageAndABrokenHeaderHoldNoTuples() {
    #expect(HeapPage([UInt8](repeating: 0, count: 8192)[...]).tuples.isEmpty)
    var page = Builder.page([.init(xmin: 700, values: Builder.namespaceRow(oid: 11, name: "x"))])
    page[14] = 0x00
    page[15] = 0x40  // pd_upper 16384, past the page
    #expect(HeapPage(page[...]).tuples.isEmpty)
    // A line pointer past the special space is skipped, the others kept.
    var pointers = Builder.page([
      .init(xmin: 700, values: Builder.namespaceRow(oid: 11, name: "a")),
      .init(xmin: 701, values: Builder.namespaceRow(oid: 12, name: "b")),
    ])
    pointers.replaceSubrange(24..<28, with: Builder.le(8190 | 1 << 15 | 100 << 17))
    #expect(HeapPage(pointers[...]).tuples.map(\.xmin) == [701])
  }

  @Test func pagesOfAFileFollowTheStatedPageSize() {
    let first = Builder.page([.init(xmin: 1, values: Builder.namespaceRow(oid: 11, name: "a"))])
    let second = Builder.page([.init(xmin: 2, values: Builder.namespaceRow(oid: 12, name: "b"))])
    let pages = HeapPage.pages(of: first + second + [1, 2, 3])
    #expect(pages.map { $0.tuples.map(\.xmin) } == [[1], [2]])
    #expect(HeapPage.pageSize(of: first) == 8192)
  }

  @Test(arguments: [15, 16, 17, 18])
  func databaseRowsOfEachMajor(major: Int) {
    let page = Builder.page([
      .init(xmin: 1, values: Builder.databaseRow(major: major, oid: 5, name: "postgres")),
      .init(xmin: 731, values: Builder.databaseRow(major: major, oid: 16_384, name: "test", tablespace: 16_500)),
    ])
    let layout = CatalogRowLayout.database(major: major)
    let tuples = HeapPage(page[...]).tuples
    #expect(tuples.map { layout.name("datname", in: $0) } == ["postgres", "test"])
    #expect(tuples.map { layout.uint32("oid", in: $0) } == [5, 16_384])
    #expect(tuples.map { layout.uint32("dattablespace", in: $0) } == [1663, 16_500])
    #expect(tuples.map { layout.uint32("datfrozenxid", in: $0) } == [716, 716])
  }

  @Test func classRowsAndANullColumnBeforeTheOneRead() {
    var values = Builder.classRow(oid: 16_386, name: "inventarios", namespace: 2200, filenode: 16_390, tablespace: 0)
    let page = Builder.page([.init(xmin: 731, values: values)])
    let layout = CatalogRowLayout.relation
    let tuple = HeapPage(page[...]).tuples[0]
    #expect(layout.name("relname", in: tuple) == "inventarios")
    #expect(layout.uint32("relnamespace", in: tuple) == 2200)
    #expect(layout.uint32("relfilenode", in: tuple) == 16_390)
    #expect(layout.uint32("reltablespace", in: tuple) == 0)
    // A null column takes no space: the ones after it move up.
    values[3] = .null
    let shifted = HeapPage(Builder.page([.init(xmin: 731, values: values)])[...]).tuples[0]
    #expect(layout.uint32("reltype", in: shifted) == nil)
    #expect(layout.uint32("relfilenode", in: shifted) == 16_390)
    #expect(layout.name("relname", in: shifted) == "inventarios")
  }

  @Test(arguments: [
    // (xmin, xmax, infomask, visibility)
    (UInt32(10), UInt32(0), UInt16(0x0100 | 0x0800), HeapTuple.Visibility.committed),
    (10, 0, 0x0300, .committed),  // frozen
    (10, 0, 0x0000, .maybeCommitted),
    (10, 0, 0x0200, .aborted),
    (10, 12, 0x0100 | 0x0400, .deleted),
    (10, 10, 0x0000, .deleted),  // updated by its own transaction
    (10, 12, 0x0100, .maybeDeleted),
    (10, 12, 0x0100 | 0x0800, .committed),  // xmax aborted
    (10, 12, 0x0100 | 0x0080, .committed),  // locked only
    (10, 12, 0x0100 | 0x0040, .committed),  // exclusively locked
  ])
  func hintBits(xmin: UInt32, xmax: UInt32, infomask: UInt16, visibility: HeapTuple.Visibility) {
    let page = Builder.page([
      .init(xmin: xmin, xmax: xmax, infomask: infomask, values: Builder.namespaceRow(oid: 1, name: "n"))
    ])
    #expect(HeapPage(page[...]).tuples.first?.visibility == visibility)
  }

  @Test func relationMaps() {
    let map = RelationMapFile(Builder.relationMap([(1259, 1259), (1262, 16_999)]))
    #expect(map?.filenodes == [1259: 1259, 1262: 16_999])
    #expect(RelationMapFile([UInt8](repeating: 0, count: 524)) == nil)
    var tooMany = Builder.relationMap([])
    tooMany.replaceSubrange(4..<8, with: Builder.le(65))
    #expect(RelationMapFile(tooMany) == nil)
  }
}
