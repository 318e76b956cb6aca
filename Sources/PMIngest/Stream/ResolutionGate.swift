/// Lets each market's resolution through once, whichever path saw it first: the socket's
/// `market_resolved` frame (not reliably delivered, never replayed) or the Gamma poll of
/// `ResolutionWatcher`. Keyed by condition id, case-insensitively; lives as long as its stream
/// client, across reconnects. Thread-safe: the service thread and the poller both pass through it.
///
/// Bounded: past `capacity` remembered markets the oldest is forgotten (a market resolves once, so
/// only a stream that has seen more resolutions than that could ever see one twice).
final class ResolutionGate: @unchecked Sendable {
    static let defaultCapacity = 100_000

    private let lock = Lock()
    private let capacity: Int
    private var seen: Set<String> = []
    private var order: [String] = []
    private var head = 0

    init(capacity: Int = ResolutionGate.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// `events` without the resolutions already let through (and each remembered from now on);
    /// every other event passes untouched, in order.
    func admit(_ events: [StreamEvent]) -> [StreamEvent] {
        guard events.contains(where: { if case .marketResolved = $0 { return true } else { return false } }) else {
            return events
        }
        return lock.withLock {
            events.filter { event in
                guard case .marketResolved(let resolved) = event else { return true }
                return insertLocked(Self.key(resolved.conditionId))
            }
        }
    }

    /// Whether the market's resolution has been let through.
    func contains(_ conditionId: String) -> Bool { lock.withLock { seen.contains(Self.key(conditionId)) } }

    var count: Int { lock.withLock { seen.count } }

    private func insertLocked(_ key: String) -> Bool {
        guard seen.insert(key).inserted else { return false }
        order.append(key)
        if seen.count > capacity {
            seen.remove(order[head])
            head += 1
            if head > 1_024 && head * 2 > order.count {   // compact now and then, not on every eviction
                order.removeFirst(head)
                head = 0
            }
        }
        return true
    }

    private static func key(_ conditionId: String) -> String { conditionId.lowercased() }
}
