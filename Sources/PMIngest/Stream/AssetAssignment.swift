/// Which socket of a stream's pool each subscribed asset is on (pure logic; `StreamPool` holds it
/// under its lock). Sockets are identified by a stable id; socket 0, the primary, always exists.
///
/// Rules (docs/wire/market-channel.md, "Capacity and the socket pool"):
/// - new assets go, in subscription order, to the first socket with room (fewer than `capacity`);
///   when none has room a new socket is added;
/// - after a removal the pool is compacted: while more sockets exist than
///   `max(1, ⌈assets / capacity⌉)`, the least-filled socket other than the primary is emptied into
///   the others (first socket with room first) and dropped.
struct AssetAssignment: Sendable, Equatable {
    struct Socket: Sendable, Equatable {
        let id: Int
        var assets: [String]
    }

    /// What a change means for the sockets: per socket id, the assets to add and to remove; the
    /// assets that moved from one socket to another (each also in an `added` and a `removed` list);
    /// the sockets that were created and the ones to close.
    struct Change: Sendable, Equatable {
        var added: [Int: [String]] = [:]
        var removed: [Int: [String]] = [:]
        var moved: [String] = []
        var opened: [Int] = []
        var closed: [Int] = []
    }

    let capacity: Int
    private(set) var sockets: [Socket] = [Socket(id: 0, assets: [])]
    /// Every subscribed asset in subscription order.
    private(set) var order: [String] = []
    private var socketOf: [String: Int] = [:]
    private var nextId = 1

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { order.count }

    func socket(of asset: String) -> Int? { socketOf[asset] }

    func assets(of socket: Int) -> [String] { sockets.first { $0.id == socket }?.assets ?? [] }

    /// Adds the assets not yet subscribed (an id twice in `ids` counts once).
    mutating func add(_ ids: [String]) -> Change {
        var change = Change()
        for id in ids where socketOf[id] == nil {
            let slot = slotWithRoom() ?? newSlot(&change)
            sockets[slot].assets.append(id)
            socketOf[id] = sockets[slot].id
            order.append(id)
            change.added[sockets[slot].id, default: []].append(id)
        }
        return change
    }

    /// Removes the subscribed ones of `ids`, then compacts.
    mutating func remove(_ ids: [String]) -> Change {
        var change = Change()
        let drop = Set(ids.filter { socketOf[$0] != nil })
        guard !drop.isEmpty else { return change }
        for index in sockets.indices {
            let gone = sockets[index].assets.filter { drop.contains($0) }
            guard !gone.isEmpty else { continue }
            sockets[index].assets.removeAll { drop.contains($0) }
            change.removed[sockets[index].id] = gone
        }
        for id in drop { socketOf[id] = nil }
        order.removeAll { drop.contains($0) }
        compact(&change)
        return change
    }

    private func slotWithRoom() -> Int? {
        sockets.firstIndex { $0.assets.count < capacity }
    }

    private mutating func newSlot(_ change: inout Change) -> Int {
        sockets.append(Socket(id: nextId, assets: []))
        change.opened.append(nextId)
        nextId += 1
        return sockets.count - 1
    }

    private mutating func compact(_ change: inout Change) {
        let needed = max(1, (order.count + capacity - 1) / capacity)
        while sockets.count > needed {
            // The least-filled socket other than the primary (the later one on a tie).
            var victim = 1
            for index in 1..<sockets.count where sockets[index].assets.count <= sockets[victim].assets.count {
                victim = index
            }
            let leaving = sockets.remove(at: victim)
            change.closed.append(leaving.id)
            change.added[leaving.id] = nil
            for id in leaving.assets {
                // Room exists: (sockets - 1) × capacity ≥ needed × capacity ≥ assets.
                guard let slot = slotWithRoom() else { break }
                sockets[slot].assets.append(id)
                socketOf[id] = sockets[slot].id
                change.moved.append(id)
                change.added[sockets[slot].id, default: []].append(id)
            }
        }
    }
}
