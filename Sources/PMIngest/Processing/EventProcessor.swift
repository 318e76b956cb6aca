/// Turns trade-price signals from the stream into processed events: each gets a trade size —
/// the stream's own when `last_trade_price` carried one, otherwise back-filled over REST from a
/// fresh trade near the price (G3) — and the size filter decides whether it passes.
///
/// Safe to use from many tasks at once. The lock guards only the statistics and is never held
/// across I/O, so N concurrent back-fills take about one REST latency, not N.
public final class EventProcessor: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// Signals whose trade is smaller than this do not pass (the brief's filter: 50).
        public var minimumSize: Size
        /// Back-fill missing sizes over REST (G3). Off: a signal without a stream size never passes.
        public var backfillSize: Bool
        public var priceTolerance: Price
        public var sizeLookupMaxAgeSeconds: Int64

        public init(minimumSize: Size = Size(micros: 50_000_000), backfillSize: Bool = true,
                    priceTolerance: Price = TradeFetcher.defaultPriceTolerance,
                    sizeLookupMaxAgeSeconds: Int64 = TradeFetcher.defaultSizeLookupMaxAgeSeconds) {
            self.minimumSize = minimumSize
            self.backfillSize = backfillSize
            self.priceTolerance = priceTolerance
            self.sizeLookupMaxAgeSeconds = sizeLookupMaxAgeSeconds
        }
    }

    public let configuration: Configuration
    private let fetcher: TradeFetcher?
    private let lock = Lock()
    private var counters = EventProcessorStats()

    /// - Parameter fetcher: the REST source of back-filled sizes; nil disables back-fill.
    public init(fetcher: TradeFetcher?, configuration: Configuration = Configuration()) {
        self.fetcher = fetcher
        self.configuration = configuration
    }

    public var stats: EventProcessorStats { lock.withLock { counters } }

    /// Processes every price update of a stream event (`last_trade_price` and the legacy
    /// top-level `price_change`; book deltas never count as trades).
    public func process(_ event: StreamEvent) async -> [ProcessedEvent] {
        var streamSize: Size?
        if case .lastTradePrice(let trade) = event { streamSize = trade.size }
        var results: [ProcessedEvent] = []
        for update in event.priceUpdates { results.append(await process(update, streamSize: streamSize)) }
        return results
    }

    /// Processes many updates concurrently.
    public func process(_ updates: [(PriceUpdate, Size?)]) async -> [ProcessedEvent] {
        await withTaskGroup(of: (Int, ProcessedEvent).self) { group in
            for (index, (update, size)) in updates.enumerated() {
                group.addTask { (index, await self.process(update, streamSize: size)) }
            }
            var results = [ProcessedEvent?](repeating: nil, count: updates.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    /// Processes one update. Never throws: a failed back-fill counts as an error and the signal
    /// does not pass (fail closed).
    public func process(_ update: PriceUpdate, streamSize: Size? = nil) async -> ProcessedEvent {
        var size = streamSize
        var source: ProcessedEvent.SizeSource = streamSize == nil ? .none : .stream
        var failure: String?
        if size == nil, configuration.backfillSize, let fetcher {
            do {
                size = try await fetcher.fetchTradeSizeAtPrice(  // I/O outside the lock
                    tokenId: update.tokenId, targetPrice: update.price, priceTolerance: configuration.priceTolerance,
                    maxAgeSeconds: configuration.sizeLookupMaxAgeSeconds)
                source = size == nil ? .none : .restBackfill
            } catch {
                failure = (error as? PMError)?.message ?? "\(error)"
            }
        }
        let passes = failure == nil && (size.map { $0 >= configuration.minimumSize } ?? false)
        let result = ProcessedEvent(update: update, size: size, sizeSource: source, passedSizeFilter: passes, error: failure)
        lock.withLock {
            counters.totalProcessed += 1
            switch source {
            case .stream: counters.streamSized += 1
            case .restBackfill: counters.g3Backfilled += 1
            case .none: if failure == nil { counters.sizeUnknown += 1 }
            }
            if failure != nil { counters.errors += 1 }
            if passes { counters.passed += 1 } else { counters.filtered += 1 }
        }
        return result
    }
}

/// A price update after processing.
public struct ProcessedEvent: Sendable, Equatable {
    public enum SizeSource: Sendable, Equatable {
        /// The stream's `last_trade_price` carried the size.
        case stream
        /// Back-filled over REST from a fresh trade near the price (G3).
        case restBackfill
        /// No size could be found.
        case none
    }

    public let update: PriceUpdate
    public let size: Size?
    public let sizeSource: SizeSource
    /// True when the size is known and at least the configured minimum.
    public let passedSizeFilter: Bool
    /// Why the back-fill failed, when it did.
    public let error: String?
}

/// Counters of an `EventProcessor`.
public struct EventProcessorStats: Sendable, Equatable {
    public var totalProcessed = 0
    /// Sizes taken from the stream itself.
    public var streamSized = 0
    /// Sizes back-filled over REST (G3).
    public var g3Backfilled = 0
    /// Neither the stream nor REST had a size.
    public var sizeUnknown = 0
    /// Did not pass the size filter (including unknown sizes and errors).
    public var filtered = 0
    public var passed = 0
    /// Back-fills that failed (network, HTTP, parse).
    public var errors = 0

    public init() {}
}
