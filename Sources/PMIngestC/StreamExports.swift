// pm_stream_*, pm_event_*, pm_processor_*: the stream surface. Boxing and argument checks only.
import CPMIngest
import PMIngest

private func streamHandle(_ pointer: OpaquePointer?) throws -> StreamHandle {
    guard let handle = Handle.get(pointer, as: StreamHandle.self) else {
        throw PMError(.invalidArgument, "stream: must not be NULL")
    }
    return handle
}

private func tokenList(_ pointers: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int) throws -> [String] {
    guard count >= 0 else { throw PMError(.invalidArgument, "count: too large") }
    if count == 0 { return [] }
    let pointers = try requireArgument(pointers, "token_ids")
    return try (0..<count).map { try requiredString(pointers[$0], "token_ids[\($0)]") }
}

/// Bytes of a pm_stream_options of `version`: version 1 ended after verify_tls, version 2 after
/// queue_max_bytes, version 3 after subscription_chunk_size.
private func streamOptionsSize(_ version: UInt32) -> Int {
    let whole = MemoryLayout<pm_stream_options>.size
    switch version {
    case ...1: return MemoryLayout<pm_stream_options>.offset(of: \.queue_max_bytes) ?? whole
    case 2: return MemoryLayout<pm_stream_options>.offset(of: \.max_assets_per_connection) ?? whole
    case 3: return MemoryLayout<pm_stream_options>.offset(of: \.overflow_policy) ?? whole
    default: return whole
    }
}

/// The caller's options, reading no byte past the end of its version's struct (newer fields
/// default).
private func readStreamOptions(_ opts: UnsafePointer<pm_stream_options>) -> pm_stream_options {
    let version = UnsafeRawPointer(opts).loadUnaligned(as: UInt32.self)
    var copy = pm_stream_options()
    let d = StreamClientConfig()
    copy.queue_max_bytes = Int64(StreamClientConfig.defaultQueueMaxBytes)
    copy.max_assets_per_connection = Int32(clamping: d.maxAssetsPerConnection)
    copy.connect_stagger_ms = Int32(clamping: d.connectStaggerMs)
    copy.subscription_chunk_size = Int32(clamping: d.subscriptionChunkSize)
    copy.overflow_policy = Int32(PM_OVERFLOW_DROP_OLDEST.rawValue)
    copy.max_paused_ms = Int32(clamping: d.maxPausedMs)
    withUnsafeMutableBytes(of: &copy) { target in
        target.baseAddress?.copyMemory(from: UnsafeRawPointer(opts), byteCount: streamOptionsSize(max(1, version)))
    }
    return copy
}

@c @implementation
public func pm_stream_options_init(_ opts: UnsafeMutablePointer<pm_stream_options>?, _ version: UInt32) -> pm_status {
    withStatus {
        let opts = try requireArgument(opts, "opts")
        guard (1...UInt32(PM_STREAM_OPTIONS_VERSION)).contains(version) else {
            throw PMError(.invalidArgument, "opts: unknown pm_stream_options version \(version) (this library knows 1...\(PM_STREAM_OPTIONS_VERSION))")
        }
        let d = StreamClientConfig()
        let defaults = pm_stream_options(
            version: version, url: nil, ping_interval_ms: Int32(clamping: d.pingIntervalMs),
            pong_timeout_ms: Int32(clamping: d.pongTimeoutMs), asset_silence_timeout_ms: Int32(clamping: d.assetSilenceTimeoutMs),
            queue_capacity: Int32(clamping: d.queueCapacity), max_message_bytes: Int64(d.maxMessageBytes), verify_tls: d.verifyTLS,
            queue_max_bytes: Int64(d.queueMaxBytes), max_assets_per_connection: Int32(clamping: d.maxAssetsPerConnection),
            connect_stagger_ms: Int32(clamping: d.connectStaggerMs), subscription_chunk_size: Int32(clamping: d.subscriptionChunkSize),
            overflow_policy: Int32(PM_OVERFLOW_DROP_OLDEST.rawValue), max_paused_ms: Int32(clamping: d.maxPausedMs))
        // An older caller's struct ends before the newer fields: write only the bytes it has.
        withUnsafeBytes(of: defaults) { source in
            guard let bytes = source.baseAddress else { return }
            UnsafeMutableRawPointer(opts).copyMemory(from: bytes, byteCount: streamOptionsSize(version))
        }
    }
}

@c @implementation
public func pm_stream_new(_ opts: UnsafePointer<pm_stream_options>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        var config = StreamClientConfig()
        if let opts {
            let o = readStreamOptions(opts)
            guard o.version >= 1 else { throw PMError(.invalidArgument, "opts: version must be >= 1 (use PM_STREAM_OPTIONS_INIT)") }
            if let url = try optionalString(o.url, "url") { config.url = url }
            guard o.ping_interval_ms > 0, o.pong_timeout_ms > 0, o.asset_silence_timeout_ms >= 0,
                  o.queue_capacity > 0, o.max_message_bytes > 0 else {
                throw PMError(.invalidArgument, "opts: intervals, capacity and sizes must be > 0 (silence timeout >= 0)")
            }
            config.pingIntervalMs = Int(o.ping_interval_ms)
            config.pongTimeoutMs = Int(o.pong_timeout_ms)
            config.assetSilenceTimeoutMs = Int(o.asset_silence_timeout_ms)
            config.queueCapacity = Int(o.queue_capacity)
            config.maxMessageBytes = Int(clamping: o.max_message_bytes)
            config.verifyTLS = o.verify_tls
            if o.version >= 2 {
                guard o.queue_max_bytes > 0 else { throw PMError(.invalidArgument, "opts: queue_max_bytes must be > 0") }
                config.queueMaxBytes = Int(clamping: o.queue_max_bytes)
            }
            if o.version >= 3 {
                // Ranges are checked by StreamClientConfig (.invalidArgument).
                config.maxAssetsPerConnection = Int(o.max_assets_per_connection)
                config.connectStaggerMs = Int(o.connect_stagger_ms)
                config.subscriptionChunkSize = Int(o.subscription_chunk_size)
            }
            if o.version >= 4 {
                switch o.overflow_policy {
                case Int32(PM_OVERFLOW_DROP_OLDEST.rawValue): config.overflowPolicy = .dropOldest
                case Int32(PM_OVERFLOW_PAUSE.rawValue): config.overflowPolicy = .pause
                default: throw PMError(.invalidArgument, "opts: overflow_policy \(o.overflow_policy) is not a pm_overflow_policy")
                }
                config.maxPausedMs = Int(o.max_paused_ms)   // range checked by StreamClientConfig
            }
        }
        out.pointee = Handle.retain(StreamHandle(client: try StreamClient(config: config)))
    }
}

@c @implementation
public func pm_stream_connect(_ stream: OpaquePointer?) -> pm_status {
    withStatus { try streamHandle(stream).connect() }
}

@c @implementation
public func pm_stream_subscribe(_ stream: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int) -> pm_status {
    withStatus {
        let handle = try streamHandle(stream)
        try handle.requireOpen()
        try handle.client.subscribe(tokenIds: try tokenList(tokenIds, count))
    }
}

@c @implementation
public func pm_stream_unsubscribe(_ stream: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int) -> pm_status {
    withStatus {
        let handle = try streamHandle(stream)
        try handle.requireOpen()
        try handle.client.unsubscribe(tokenIds: try tokenList(tokenIds, count))
    }
}

@c @implementation
public func pm_stream_next(_ stream: OpaquePointer?, _ timeoutMs: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try streamHandle(stream)
        guard !handle.hasCallback else { throw PMError(.misuse, "this stream delivers to a callback; pm_stream_next is not available") }
        if let event = try handle.next(timeoutMs: Int(timeoutMs)) {
            out.pointee = Handle.retain(EventRecord(event))
        }
    }
}

@c @implementation
public func pm_stream_next_batch(_ stream: OpaquePointer?, _ timeoutMs: Int32, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                 _ maxN: Int, _ outN: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        let outN = try requireArgument(outN, "out_n")
        outN.pointee = 0
        let out = try requireArgument(out, "out")
        guard maxN > 0 else { throw PMError(.invalidArgument, "max_n: must be at least 1") }
        let handle = try streamHandle(stream)
        guard !handle.hasCallback else { throw PMError(.misuse, "this stream delivers to a callback; pm_stream_next_batch is not available") }
        let events = try handle.nextBatch(max: maxN, timeoutMs: Int(timeoutMs))
        for (index, event) in events.enumerated() {
            out[index] = Handle.retain(EventRecord(event))
        }
        outN.pointee = events.count
    }
}

@c @implementation
public func pm_stream_set_callback(_ stream: OpaquePointer?, _ cb: pm_event_cb?, _ userdata: UnsafeMutableRawPointer?,
                                   _ userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) -> pm_status {
    withStatus {
        let handle = try streamHandle(stream)
        let cb = try requireArgument(cb, "cb")
        try handle.startDelivery(CallbackDelivery(callback: cb, userdata: userdata, userdataFree: userdataFree))
    }
}

@c @implementation
public func pm_stream_close(_ stream: OpaquePointer?) -> pm_status {
    withStatus { try streamHandle(stream).close() }
}

@c @implementation
public func pm_stream_free(_ stream: OpaquePointer?) {
    guard let handle = Handle.get(stream, as: StreamHandle.self) else { return }
    do { try handle.close() } catch {
        _ = fail(error)  // from inside its own callback: refuse, and leak rather than crash
        return
    }
    Handle.release(stream)
}

@c @implementation
public func pm_stream_is_connected(_ stream: OpaquePointer?) -> Bool {
    Handle.get(stream, as: StreamHandle.self)?.client.isConnected ?? false
}

@c @implementation
public func pm_stream_stat_value(_ stream: OpaquePointer?, _ stat: pm_stream_stat) -> Int64 {
    guard let stats = Handle.get(stream, as: StreamHandle.self)?.client.stats else { return 0 }
    switch stat {
    case PM_STREAM_STAT_FRAMES: return Int64(stats.frames)
    case PM_STREAM_STAT_EVENTS: return Int64(stats.events)
    case PM_STREAM_STAT_PONGS: return Int64(stats.pongs)
    case PM_STREAM_STAT_RECONNECTS: return Int64(stats.reconnects)
    case PM_STREAM_STAT_SKIPPED:
        return Int64(stats.skippedUnknown + stats.skippedMalformed + stats.skippedOversize + stats.skippedInvalidUTF8
                     + stats.skippedBinary)
    case PM_STREAM_STAT_DROPPED: return Int64(stats.droppedOnOverflow)
    case PM_STREAM_STAT_QUEUED_BYTES: return Int64(stats.queuedBytes)
    case PM_STREAM_STAT_QUEUED_BYTES_PEAK: return Int64(stats.queuedBytesPeak)
    case PM_STREAM_STAT_PAUSES: return Int64(stats.pauses)
    case PM_STREAM_STAT_PAUSE_TIMEOUTS: return Int64(stats.pauseTimeouts)
    default: return 0
    }
}

@c @implementation
public func pm_stream_book(_ stream: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                           _ outValid: UnsafeMutablePointer<Bool>?,
                           _ outReason: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        outValid?.pointee = false
        outReason?.pointee = nil
        let handle = try streamHandle(stream)
        let token = try requiredString(tokenId, "token_id")
        guard let snapshot = handle.books.snapshot(tokenId: token) else { return }
        if let outReason, let reason = snapshot.invalidReason {
            guard let copy = pmingest_strndup(reason, reason.utf8.count) else { throw PMError(.internal, "out of memory") }
            outReason.pointee = copy
        }
        outValid?.pointee = snapshot.isValid
        out.pointee = Handle.retain(BookRecord(snapshot.book))
    }
}

// MARK: events

private func event(_ pointer: OpaquePointer?) -> EventRecord? { Handle.get(pointer, as: EventRecord.self) }

@c @implementation
public func pm_event_free(_ e: OpaquePointer?) { Handle.release(e) }
@c @implementation
public func pm_event_get_type(_ e: OpaquePointer?) -> pm_event_type { event(e)?.type ?? pm_event_type(rawValue: 0) }
@c @implementation
public func pm_event_type_name(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.typeName.borrowed ?? emptyCString }
@c @implementation
public func pm_event_token_id(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.tokenId.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_condition_id(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.conditionId.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_timestamp_ms(_ e: OpaquePointer?) -> Int64 { event(e)?.timestampMs ?? 0 }
@c @implementation
public func pm_event_is_price_update(_ e: OpaquePointer?) -> Bool { !(event(e)?.event.priceUpdates.isEmpty ?? true) }
@c @implementation
public func pm_event_price(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.price.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_trade_size(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.tradeSize.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_side(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.side.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_best_bid(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.bestBid.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_best_ask(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.bestAsk.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_event_book(_ e: OpaquePointer?) -> OpaquePointer? { event(e)?.book.map { Handle.borrow($0) } }
@c @implementation
public func pm_event_change_count(_ e: OpaquePointer?) -> Int { event(e)?.changes.count ?? 0 }

private func change(_ e: OpaquePointer?, _ index: Int) -> (token: OwnedCString, side: pm_side, price: OwnedCString, size: OwnedCString)? {
    guard let record = event(e), index >= 0, index < record.changes.count else { return nil }
    return record.changes[index]
}

@c @implementation
public func pm_event_change_token_id(_ e: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? { change(e, index)?.token.borrowed ?? emptyCString }
@c @implementation
public func pm_event_change_side(_ e: OpaquePointer?, _ index: Int) -> pm_side { change(e, index)?.side ?? PM_SIDE_BID }
@c @implementation
public func pm_event_change_price(_ e: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? { change(e, index)?.price.borrowed ?? emptyCString }
@c @implementation
public func pm_event_change_size(_ e: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? { change(e, index)?.size.borrowed ?? emptyCString }
@c @implementation
public func pm_event_detail(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.detail.borrowedOrEmpty ?? emptyCString }

// MARK: processor

@c @implementation
public func pm_processor_new(_ fetcher: OpaquePointer?, _ minSize: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let owner = Handle.get(fetcher, as: FetcherHandle.self)
        if fetcher != nil && owner == nil { throw PMError(.invalidArgument, "fetcher: not a pm_fetcher") }
        var configuration = EventProcessor.Configuration()
        if let text = try optionalString(minSize, "min_size") {
            do throws(DecimalError) { configuration.minimumSize = try Size(text) } catch { throw PMError.decimal(error, field: "min_size") }
        }
        configuration.backfillSize = owner != nil
        out.pointee = Handle.retain(ProcessorHandle(owner: owner, processor: EventProcessor(fetcher: owner?.fetcher, configuration: configuration)))
    }
}

@c @implementation
public func pm_processor_free(_ processor: OpaquePointer?) { Handle.release(processor) }

@c @implementation
public func pm_processor_process(_ processor: OpaquePointer?, _ e: OpaquePointer?, _ outPassed: UnsafeMutablePointer<Bool>?,
                                 _ outSource: UnsafeMutablePointer<pm_size_source>?,
                                 _ outSize: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pm_status {
    withStatus {
        outPassed?.pointee = false
        outSource?.pointee = PM_SIZE_NONE
        outSize?.pointee = nil
        guard let handle = Handle.get(processor, as: ProcessorHandle.self) else {
            throw PMError(.invalidArgument, "processor: must not be NULL")
        }
        guard let record = event(e) else { throw PMError(.invalidArgument, "event: must not be NULL") }
        let processor = handle.processor
        let streamEvent = record.event
        let run: @Sendable () async throws -> [ProcessedEvent] = { await processor.process(streamEvent) }
        let results = try handle.owner.map { try $0.owner.run(run) } ?? Blocking.run(run)
        guard let result = results.first else { return }
        outPassed?.pointee = result.passedSizeFilter
        switch result.sizeSource {
        case .none: outSource?.pointee = PM_SIZE_NONE
        case .stream: outSource?.pointee = PM_SIZE_STREAM
        case .restBackfill: outSource?.pointee = PM_SIZE_BACKFILL
        }
        if let outSize, let size = result.size {
            let text = size.description
            guard let copy = pmingest_strndup(text, text.utf8.count) else { throw PMError(.internal, "out of memory") }
            outSize.pointee = copy
        }
    }
}

@c @implementation
public func pm_processor_stat_value(_ processor: OpaquePointer?, _ stat: pm_processor_stat) -> Int64 {
    guard let stats = Handle.get(processor, as: ProcessorHandle.self)?.processor.stats else { return 0 }
    switch stat {
    case PM_PROCESSOR_STAT_TOTAL: return Int64(stats.totalProcessed)
    case PM_PROCESSOR_STAT_STREAM_SIZED: return Int64(stats.streamSized)
    case PM_PROCESSOR_STAT_G3_BACKFILLED: return Int64(stats.g3Backfilled)
    case PM_PROCESSOR_STAT_SIZE_UNKNOWN: return Int64(stats.sizeUnknown)
    case PM_PROCESSOR_STAT_FILTERED: return Int64(stats.filtered)
    case PM_PROCESSOR_STAT_PASSED: return Int64(stats.passed)
    case PM_PROCESSOR_STAT_ERRORS: return Int64(stats.errors)
    default: return 0
    }
}
