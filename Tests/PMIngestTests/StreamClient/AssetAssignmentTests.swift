import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The pool's assignment rules as pure logic: fill in order, add sockets, compact on removal.
@Suite("AssetAssignment: which socket holds each asset")
struct AssetAssignmentTests {
    static func ids(_ n: Int, from start: Int = 0) -> [String] { (start..<(start + n)).map { String(1_000 + $0) } }

    @Test("assets fill the first socket with room, in subscription order; new sockets only when all are full")
    func fillInOrder() {
        var a = AssetAssignment(capacity: 3)
        let first = a.add(Self.ids(7))
        #expect(a.sockets.map(\.id) == [0, 1, 2])
        #expect(a.sockets.map(\.assets.count) == [3, 3, 1])
        #expect(first.opened == [1, 2])
        #expect(first.added[0] == Self.ids(3))
        #expect(first.added[2] == ["1006"])
        #expect(a.order == Self.ids(7))
        #expect(a.socket(of: "1004") == 1)
        // Known ids are ignored, a repeated id counts once.
        let again = a.add(["1000", "1007", "1007"])
        #expect(again.added == [2: ["1007"]])
        #expect(again.opened.isEmpty)
        #expect(a.count == 8)
    }

    @Test("a removal frees room that later additions reuse, before any new socket")
    func reuseRoom() {
        var a = AssetAssignment(capacity: 3)
        _ = a.add(Self.ids(6))
        let removed = a.remove(["1001", "9999"])
        #expect(removed.removed == [0: ["1001"]])
        #expect(removed.moved.isEmpty && removed.closed.isEmpty)
        let added = a.add(["2000"])
        #expect(added.added == [0: ["2000"]])
        #expect(a.assets(of: 0) == ["1000", "1002", "2000"])
    }

    @Test("compaction empties the least-filled extra socket into the others and closes it; the primary stays")
    func compaction() {
        var a = AssetAssignment(capacity: 4)
        _ = a.add(Self.ids(10))                   // [4, 4, 2]
        let change = a.remove(Self.ids(3))        // socket 0 keeps 1 → 7 assets fit on 2 sockets
        #expect(change.removed == [0: Self.ids(3)])
        #expect(change.closed == [2])
        #expect(change.moved == ["1008", "1009"])
        #expect(change.added == [0: ["1008", "1009"]])
        #expect(a.sockets.map(\.id) == [0, 1])
        #expect(a.sockets.map(\.assets.count) == [3, 4])
        #expect(a.socket(of: "1009") == 0)
        // Everything gone: only the (empty) primary is left.
        let all = a.remove(a.order)
        #expect(all.closed == [1])
        #expect(a.sockets.map(\.id) == [0])
        #expect(a.count == 0)
        // New sockets get fresh ids.
        let more = a.add(Self.ids(5, from: 50))
        #expect(more.opened == [3])
    }

    @Test("an emptied extra socket is closed without moves; nothing removed changes nothing")
    func emptiedSocket() {
        var a = AssetAssignment(capacity: 2)
        _ = a.add(Self.ids(5))                    // [2, 2, 1]
        let change = a.remove(["1004"])
        #expect(change.closed == [2])
        #expect(change.moved.isEmpty)
        #expect(a.remove(["1004"]) == AssetAssignment.Change())
        #expect(AssetAssignment(capacity: 0).capacity == 1)
    }
}
