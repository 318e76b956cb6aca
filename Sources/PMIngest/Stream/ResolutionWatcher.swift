/// Where `ResolutionWatcher` asks about resolutions; `PolymarketClient` is the real one.
public protocol ResolutionSource: Sendable {
    /// The condition id (market) of a token.
    func conditionId(forToken tokenId: String) async throws -> String
    /// The markets among `conditionIds` that Gamma reports closed.
    func fetchClosedMarkets(conditionIds: [String]) async throws -> [Market]
}

/// Confirms resolutions by polling Gamma, because the socket's `market_resolved` is not reliably
/// delivered and a missed one is never replayed (docs/wire/clob.md). Every `intervalMs` — the
/// first round at once — it maps the stream's subscribed tokens to their markets, asks Gamma
/// which of those not yet resolved are closed, and delivers a `StreamEvent.marketResolved` for
/// each closed market that has a winner, through the stream's `ResolutionGate`: one event per
/// market, whichever of the socket and the poll saw it first.
///
/// A closed market has a winner when exactly one of its outcome tokens is priced 1 by Gamma; a
/// closed market without one (not yet settled) is asked about again next round. A failed round
/// (network, deadline, parse) is logged and the next round runs as usual; tokens whose market
/// cannot be found are skipped for that round. Runs on a Swift task of its own, never on the
/// stream's service thread; stops with `stop()` or when its stream client closes.
final class ResolutionWatcher: @unchecked Sendable {
    /// The smallest interval accepted (0 means off and is handled by the caller).
    static let minimumIntervalMs = 100
    /// Condition ids per Gamma request (the service takes a bounded list).
    static let conditionsPerRequest = 50

    let source: any ResolutionSource
    let intervalMs: Int
    private weak var pool: StreamPool?
    private let lock = Lock()
    private var task: Task<Void, Never>?
    private var rounds = 0

    init(source: any ResolutionSource, intervalMs: Int, pool: StreamPool) {
        self.source = source
        self.intervalMs = intervalMs
        self.pool = pool
    }

    /// Polling rounds finished so far (for tests).
    var roundsDone: Int { lock.withLock { rounds } }

    func start() {
        lock.withLock {
            guard task == nil else { return }
            task = Task.detached { [self] in await self.run() }
        }
    }

    func stop() {
        lock.withLock { task }?.cancel()
    }

    private func run() async {
        let nanoseconds = UInt64(max(intervalMs, Self.minimumIntervalMs)) * 1_000_000
        while !Task.isCancelled {
            guard let pool, !pool.queue.isClosed else { return }
            await pollOnce(pool)
            lock.withLock { rounds += 1 }
            do { try await Task.sleep(nanoseconds: nanoseconds) } catch { return }
        }
    }

    /// One round; returns how many resolutions it delivered.
    @discardableResult
    func pollOnce(_ pool: StreamPool) async -> Int {
        var conditions: [String] = []
        var asked = Set<String>()
        for token in pool.subscribedTokenIds {
            if Task.isCancelled { return 0 }
            do {
                let condition = try await source.conditionId(forToken: token)
                guard !pool.resolutionGate.contains(condition), asked.insert(condition.lowercased()).inserted else { continue }
                conditions.append(condition)
            } catch {
                PMLog.log(.debug, "stream", "resolution poll: no market for token \(token): \(error)")
            }
        }
        var delivered = 0
        var start = 0
        while start < conditions.count && !Task.isCancelled {
            let chunk = Array(conditions[start..<min(start + Self.conditionsPerRequest, conditions.count)])
            start += chunk.count
            do {
                let events = try await source.fetchClosedMarkets(conditionIds: chunk).compactMap(Self.resolution)
                delivered += pool.deliverFromOutside(events.map(StreamEvent.marketResolved))
            } catch {
                PMLog.log(.warning, "stream", "resolution poll of \(chunk.count) market(s) failed: \(error)")
            }
        }
        return delivered
    }

    /// The resolution a closed Gamma market shows, or nil while it has no single winner.
    static func resolution(_ market: Market) -> MarketResolvedEvent? {
        guard market.closed else { return nil }
        let winners = market.tokens.filter { $0.price == Price(micros: 1_000_000) }
        guard winners.count == 1, let winner = winners.first else { return nil }
        return MarketResolvedEvent(id: market.id.isEmpty ? nil : market.id, conditionId: market.conditionId,
                                   assetIds: market.tokens.map(\.tokenId), winningAssetId: winner.tokenId,
                                   winningOutcome: winner.outcome, timestampMs: nil)
    }
}

/// The stream client's current watcher, if any (replaced by each `watchResolutions`).
final class ResolutionWatchSlot: @unchecked Sendable {
    private let lock = Lock()
    private var watcher: ResolutionWatcher?

    /// Installs `next` (nil = none), stopping the one before.
    func replace(with next: ResolutionWatcher?) {
        let previous = lock.withLock { () -> ResolutionWatcher? in
            defer { watcher = next }
            return watcher
        }
        previous?.stop()
        next?.start()
    }

    var current: ResolutionWatcher? { lock.withLock { watcher } }
}
