// Handles and records of the stream surface: pm_stream, pm_event, pm_processor.
import CPMIngest
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// pm_stream: the core StreamClient, the local books it feeds (of its subscribed tokens only),
/// and (optionally) the callback delivery thread.
final class StreamHandle: @unchecked Sendable {
    let client: StreamClient
    let books: LocalOrderBooks
    private let lock = Lock()
    private var deliveryThread: pthread_t?
    private var delivery: CallbackDelivery?
    private var closed = false

    init(client: StreamClient) {
        self.client = client
        books = LocalOrderBooks(isTracked: client.isSubscribed)
    }

    private var connected = false

    var hasCallback: Bool { lock.withLock { delivery != nil } }

    /// Connects once; a second connect, or any call after close, is a misuse (as the header says).
    func connect() throws {
        try lock.withLock {
            guard !closed else { throw PMError(.misuse, "stream is closed") }
            guard !connected else { throw PMError(.misuse, "stream is already connected (it reconnects by itself)") }
        }
        try client.connect()
        lock.withLock { connected = true }
    }

    func requireOpen() throws {
        try lock.withLock { if closed { throw PMError(.misuse, "stream is closed") } }
    }

    /// The next event, after it has updated the local books. A queue overflow arrives as a
    /// `.reconnected` gap marker, which invalidates the books like a real reconnect.
    func next(timeoutMs: Int) throws -> StreamEvent? {
        let event = try client.next(timeoutMs: timeoutMs)
        if let event { books.apply(event) }
        return event
    }

    /// Up to `max` events at once, each after it has updated the local books (as `next`).
    func nextBatch(max: Int, timeoutMs: Int) throws -> [StreamEvent] {
        let events = try client.nextBatch(max: max, timeoutMs: timeoutMs)
        for event in events { books.apply(event) }
        return events
    }

    /// Starts the delivery thread. Fails when a callback is already set or the stream is closed.
    func startDelivery(_ delivery: CallbackDelivery) throws {
        try lock.withLock {
            guard !closed else { throw PMError(.misuse, "stream is closed") }
            guard self.delivery == nil else { throw PMError(.misuse, "a callback is already set for this stream") }
            self.delivery = delivery
        }
        var tid = pthread_t()
        let context = Unmanaged.passRetained(DeliveryContext(stream: self, delivery: delivery)).toOpaque()
        let rc = pthread_create(&tid, nil, { arg in
            guard let arg else { return nil }
            let context = Unmanaged<DeliveryContext>.fromOpaque(arg).takeRetainedValue()
            context.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<DeliveryContext>.fromOpaque(context).release()
            lock.withLock { self.delivery = nil }
            throw PMError(.internal, "cannot start the delivery thread (pthread_create: \(rc))")
        }
        lock.withLock { deliveryThread = tid }
    }

    /// Closes the client and joins the delivery thread (which then frees the userdata).
    func close() throws {
        if CallbackDelivery.isDeliveryThread(of: self) {
            throw PMError(.misuse, "pm_stream_close/free called from inside the stream's own callback")
        }
        let thread: pthread_t? = lock.withLock {
            closed = true
            defer { deliveryThread = nil }
            return deliveryThread
        }
        client.close()
        if let thread { pthread_join(thread, nil) }
    }
}

/// The C callback and its userdata.
final class CallbackDelivery: @unchecked Sendable {
    let callback: pm_event_cb
    let userdata: UnsafeMutableRawPointer?
    let userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?

    init(callback: pm_event_cb, userdata: UnsafeMutableRawPointer?,
         userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) {
        self.callback = callback
        self.userdata = userdata
        self.userdataFree = userdataFree
    }

    /// Which stream's callback the current thread is running (to refuse close from inside it).
    private static let key: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, nil) == 0 ? key : nil
    }()

    static func markCurrentThread(_ stream: StreamHandle?) {
        guard let key else { return }
        pthread_setspecific(key, stream.map { Unmanaged.passUnretained($0).toOpaque() })
    }

    static func isDeliveryThread(of stream: StreamHandle) -> Bool {
        guard let key, let current = pthread_getspecific(key) else { return false }
        return current == Unmanaged.passUnretained(stream).toOpaque()
    }
}

/// What the delivery thread runs: pull, update books, call back; free userdata once at the end.
final class DeliveryContext {
    let stream: StreamHandle
    let delivery: CallbackDelivery

    init(stream: StreamHandle, delivery: CallbackDelivery) {
        self.stream = stream
        self.delivery = delivery
    }

    static let batch = 256

    func run() {
        _ = pmingest_thread_setname_self("pmingest-deliver")
        CallbackDelivery.markCurrentThread(stream)
        while true {
            let events: [StreamEvent]
            do {
                // A backlog in one lock round trip; each event still gets its own callback.
                events = try stream.nextBatch(max: Self.batch, timeoutMs: 250)
            } catch {
                break  // closed
            }
            for event in events {
                let record = EventRecord(event)
                delivery.callback(OpaquePointer(Unmanaged.passUnretained(record).toOpaque()), delivery.userdata)
                withExtendedLifetime(record) {}
            }
        }
        CallbackDelivery.markCurrentThread(nil)
        delivery.userdataFree?(delivery.userdata)
    }
}

/// The C strings of an EventRecord's fields (see EventRecord).
struct EventStrings {
    let typeName: OwnedCString
    let tokenId, conditionId, price, tradeSize, side, bestBid, bestAsk, detail: OwnedCString?
    let book: BookRecord?
    let changes: [(token: OwnedCString, side: pm_side, price: OwnedCString, size: OwnedCString)]
    let reconnectTokens: [OwnedCString]

    init(_ event: StreamEvent) {
        if case .reconnected(let info) = event {
            reconnectTokens = info.tokenIds.map { OwnedCString($0) }
        } else {
            reconnectTokens = []
        }
        typeName = OwnedCString(event.eventType)
        var token: String?, condition: String?, price: String?, size: String?, side: String?
        var bid: String?, ask: String?, detail: String?
        var book: BookRecord?
        var changes: [(OwnedCString, pm_side, OwnedCString, OwnedCString)] = []
        switch event {
        case .book(let snapshot):
            token = snapshot.tokenId
            condition = snapshot.conditionId
            book = BookRecord(snapshot)
        case .priceChange(let change):
            condition = change.conditionId
            let assets = Set(change.changes.map(\.tokenId))
            if assets.count == 1 { token = assets.first }
            changes = change.changes.map {
                (OwnedCString($0.tokenId), $0.side == .buy ? PM_SIDE_BID : PM_SIDE_ASK,
                 OwnedCString($0.price.description), OwnedCString($0.size.description))
            }
        case .lastTradePrice(let trade):
            token = trade.tokenId
            condition = trade.conditionId
            price = trade.price.description
            size = trade.size?.description
            side = trade.side?.rawValue
        case .tickSizeChange(let tick):
            token = tick.tokenId
            condition = tick.conditionId
            price = tick.newTickSize.description
        case .bestBidAsk(let quote):
            token = quote.tokenId
            condition = quote.conditionId
            bid = quote.bestBid?.description
            ask = quote.bestAsk?.description
        case .newMarket(let market):
            condition = market.conditionId
            detail = market.question
        case .marketResolved(let resolved):
            condition = resolved.conditionId
            detail = resolved.winningAssetId
        case .legacyPriceChange(let legacy):
            token = legacy.tokenId
            condition = legacy.conditionId
            price = legacy.price.description
        case .reconnected(let info):
            detail = info.reason
        }
        tokenId = OwnedCString(token)
        conditionId = OwnedCString(condition)
        self.price = OwnedCString(price)
        tradeSize = OwnedCString(size)
        self.side = OwnedCString(side)
        bestBid = OwnedCString(bid)
        bestAsk = OwnedCString(ask)
        self.detail = OwnedCString(detail)
        self.book = book
        self.changes = changes
    }
}

/// pm_event. The C strings of its fields are made on the first accessor call, not when the event
/// is taken from the queue: a consumer that only counts or frees pays for none of them (the
/// event's kind and timestamp need none). Built once, under a lock (accessors may be called from
/// any thread), and kept until the event is freed.
final class EventRecord {
    let event: StreamEvent
    private let lock = Lock()
    private var built: EventStrings?

    init(_ event: StreamEvent) {
        self.event = event
    }

    private var strings: EventStrings {
        lock.withLock {
            if let built { return built }
            let made = EventStrings(event)
            built = made
            return made
        }
    }

    var typeName: OwnedCString { strings.typeName }
    var tokenId: OwnedCString? { strings.tokenId }
    var conditionId: OwnedCString? { strings.conditionId }
    var price: OwnedCString? { strings.price }
    var tradeSize: OwnedCString? { strings.tradeSize }
    var side: OwnedCString? { strings.side }
    var bestBid: OwnedCString? { strings.bestBid }
    var bestAsk: OwnedCString? { strings.bestAsk }
    var detail: OwnedCString? { strings.detail }
    var book: BookRecord? { strings.book }
    var changes: [(token: OwnedCString, side: pm_side, price: OwnedCString, size: OwnedCString)] { strings.changes }
    /// The assets a RECONNECTED event concerns (empty: all of them, or another kind).
    var reconnectTokens: [OwnedCString] { strings.reconnectTokens }

    var timestampMs: Int64 {
        switch event {
        case .book(let b): return b.timestampMs ?? 0
        case .priceChange(let c): return c.timestampMs
        case .lastTradePrice(let t): return t.timestampMs
        case .tickSizeChange(let t): return t.timestampMs
        case .bestBidAsk(let q): return q.timestampMs
        case .newMarket(let m): return m.timestampMs ?? 0
        case .marketResolved(let r): return r.timestampMs ?? 0
        case .legacyPriceChange(let l): return l.effectiveTimestampMs ?? 0   // wire time, else receive time
        case .reconnected: return 0
        }
    }

    var type: pm_event_type {
        switch event {
        case .book: return PM_EVENT_BOOK
        case .priceChange: return PM_EVENT_PRICE_CHANGE
        case .lastTradePrice: return PM_EVENT_LAST_TRADE_PRICE
        case .tickSizeChange: return PM_EVENT_TICK_SIZE_CHANGE
        case .bestBidAsk: return PM_EVENT_BEST_BID_ASK
        case .newMarket: return PM_EVENT_NEW_MARKET
        case .marketResolved: return PM_EVENT_MARKET_RESOLVED
        case .legacyPriceChange: return PM_EVENT_LEGACY_PRICE_CHANGE
        case .reconnected: return PM_EVENT_RECONNECTED
        }
    }
}

/// pm_processor
final class ProcessorHandle {
    let owner: FetcherHandle?  // keeps the fetcher (and its client) alive
    let processor: EventProcessor

    init(owner: FetcherHandle?, processor: EventProcessor) {
        self.owner = owner
        self.processor = processor
    }
}
