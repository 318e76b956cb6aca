// pm_client_*, pm_fetcher_*, pm_verify_orderbook_price, pm_metadata_sync: the REST surface.
import CPMIngest
import PMIngest

private func clientHandle(_ pointer: OpaquePointer?) throws -> ClientHandle {
    guard let handle = Handle.get(pointer, as: ClientHandle.self) else {
        throw PMError(.invalidArgument, "client: must not be NULL")
    }
    return handle
}

private func decimalArgument(_ pointer: UnsafePointer<CChar>?, _ name: String, default fallback: Price?) throws -> Price {
    guard let text = try optionalString(pointer, name) else {
        guard let fallback else { throw PMError(.invalidArgument, "\(name): must not be NULL") }
        return fallback
    }
    do { return try Price(text) } catch { throw PMError.decimal(error, field: name) }
}

/// Copies a Swift string into a caller-owned C string (freed with pm_string_free).
private func ownedCopy(_ text: String) throws -> UnsafeMutablePointer<CChar> {
    guard let copy = pmingest_strndup(text, text.utf8.count) else { throw PMError(.internal, "out of memory") }
    return copy
}

/// Version 1 of pm_client_options ends before listing_max_pages, version 2 before deadline_ms.
private func clientOptionsBytes(version: UInt32) throws -> Int {
    version <= 1 ? try VersionedOptions.bytes(before: \pm_client_options.listing_max_pages)
                 : try VersionedOptions.bytes(before: \pm_client_options.deadline_ms)
}

private func defaultClientOptions(version: UInt32) -> pm_client_options {
    let defaults = HTTPConfig()
    let budget = ListingBudget()
    return pm_client_options(
        version: version, gamma_url: nil, clob_url: nil, data_url: nil,
        connect_timeout_ms: Int32(clamping: defaults.connectTimeoutMs), total_timeout_ms: Int32(clamping: defaults.totalTimeoutMs),
        max_attempts: Int32(clamping: defaults.retry.maxAttempts), max_response_bytes: Int64(defaults.maxResponseBytes),
        verify_tls: defaults.verifyTLS, rate_limit: true,
        listing_max_pages: Int32(clamping: budget.maxPages), listing_timeout_ms: Int32(clamping: budget.timeoutMs),
        deadline_ms: Int32(clamping: defaults.deadlineMs))
}

@c @implementation
public func pm_client_options_init(_ opts: UnsafeMutablePointer<pm_client_options>?, _ version: UInt32) -> pm_status {
    withStatus {
        let opts = try requireArgument(opts, "opts")
        guard (1...UInt32(PM_CLIENT_OPTIONS_VERSION)).contains(version) else {
            throw PMError(.invalidArgument, "opts: unknown pm_client_options version \(version)")
        }
        VersionedOptions.write(defaultClientOptions(version: version), to: opts, version: version,
                               newVersion: UInt32(PM_CLIENT_OPTIONS_VERSION), olderBytes: try clientOptionsBytes(version: version))
    }
}

@c @implementation
public func pm_client_new(_ opts: UnsafePointer<pm_client_options>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        var endpoints = PolymarketEndpoints.production
        var config = HTTPConfig()
        var budget = ListingBudget()
        if let pointer = opts {
            // A version 1 struct has no listing_* fields, a version 2 one no deadline_ms: they keep the defaults.
            let version = UnsafeRawPointer(pointer).load(as: UInt32.self)
            let opts = VersionedOptions.read(pointer, newVersion: UInt32(PM_CLIENT_OPTIONS_VERSION),
                                             olderBytes: try clientOptionsBytes(version: version),
                                             defaults: defaultClientOptions(version: version))
            guard opts.version >= 1 else { throw PMError(.invalidArgument, "opts: version must be >= 1 (use PM_CLIENT_OPTIONS_INIT)") }
            endpoints = PolymarketEndpoints(
                gammaURL: try optionalString(opts.gamma_url, "gamma_url") ?? endpoints.gammaURL,
                clobURL: try optionalString(opts.clob_url, "clob_url") ?? endpoints.clobURL,
                dataURL: try optionalString(opts.data_url, "data_url") ?? endpoints.dataURL)
            guard opts.connect_timeout_ms > 0, opts.total_timeout_ms > 0 else {
                throw PMError(.invalidArgument, "timeouts: must be > 0 ms")
            }
            guard opts.max_attempts >= 1 else { throw PMError(.invalidArgument, "max_attempts: must be >= 1") }
            guard opts.max_response_bytes > 0 else { throw PMError(.invalidArgument, "max_response_bytes: must be > 0") }
            config.connectTimeoutMs = Int(opts.connect_timeout_ms)
            config.totalTimeoutMs = Int(opts.total_timeout_ms)
            config.retry.maxAttempts = Int(opts.max_attempts)
            config.maxResponseBytes = Int(clamping: opts.max_response_bytes)
            config.verifyTLS = opts.verify_tls
            if !opts.rate_limit { config.rateLimits = [:] }
            budget = ListingBudget(maxPages: Int(opts.listing_max_pages), timeoutMs: Int(opts.listing_timeout_ms))
            guard opts.deadline_ms >= 0 else { throw PMError(.invalidArgument, "deadline_ms: must be >= 0 (0 = none), got \(opts.deadline_ms)") }
            config.deadlineMs = Int(opts.deadline_ms)
        }
        let transport = try CurlTransport(config: config)
        do {
            let client = try PolymarketClient(endpoints: endpoints, transport: transport, listingBudget: budget)
            out.pointee = Handle.retain(ClientHandle(client: client, transport: transport))
        } catch {
            transport.shutdown()
            throw error
        }
    }
}

@c @implementation
public func pm_client_free(_ client: OpaquePointer?) {
    Handle.get(client, as: ClientHandle.self)?.cancelAll()
    Handle.release(client)
}

@c @implementation
public func pm_client_cancel(_ client: OpaquePointer?) -> pm_status {
    withStatus { try clientHandle(client).cancelAll() }
}

@c @implementation
public func pm_client_fetch_active_markets(_ client: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try clientHandle(client)
        let markets = try handle.run { try await handle.client.fetchActiveMarkets() }
        out.pointee = Handle.retain(MarketList(markets))
    }
}

@c @implementation
public func pm_client_fetch_market(_ client: OpaquePointer?, _ conditionId: UnsafePointer<CChar>?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try clientHandle(client)
        let condition = try requiredString(conditionId, "condition_id")
        if let market = try handle.run({ try await handle.client.fetchMarket(conditionId: condition) }) {
            out.pointee = Handle.retain(MarketRecord(market))
        }
    }
}

@c @implementation
public func pm_markets_count(_ markets: OpaquePointer?) -> Int { Handle.get(markets, as: MarketList.self)?.records.count ?? 0 }

@c @implementation
public func pm_markets_at(_ markets: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let list = Handle.get(markets, as: MarketList.self), index >= 0, index < list.records.count else { return nil }
    return Handle.borrow(list.records[index])
}

@c @implementation
public func pm_markets_free(_ markets: OpaquePointer?) { Handle.release(markets) }
@c @implementation
public func pm_market_free(_ market: OpaquePointer?) { Handle.release(market) }

private func market(_ pointer: OpaquePointer?) -> MarketRecord? { Handle.get(pointer, as: MarketRecord.self) }

@c @implementation
public func pm_market_id(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { market(m)?.id.borrowed ?? emptyCString }
@c @implementation
public func pm_market_condition_id(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { market(m)?.conditionId.borrowed ?? emptyCString }
@c @implementation
public func pm_market_question(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { market(m)?.question.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_market_slug(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { market(m)?.slug.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_market_active(_ m: OpaquePointer?) -> Bool { market(m)?.market.active ?? false }
@c @implementation
public func pm_market_closed(_ m: OpaquePointer?) -> Bool { market(m)?.market.closed ?? false }
@c @implementation
public func pm_market_neg_risk(_ m: OpaquePointer?) -> Bool { market(m)?.market.negRisk ?? false }
@c @implementation
public func pm_market_accepting_orders(_ m: OpaquePointer?) -> Bool { market(m)?.market.acceptingOrders ?? false }
@c @implementation
public func pm_market_tick_size(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { market(m)?.tickSize.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_market_min_order_size(_ m: OpaquePointer?) -> UnsafePointer<CChar>? { market(m)?.minOrderSize.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_market_end_date_ms(_ m: OpaquePointer?) -> Int64 { market(m)?.market.endDateMs ?? 0 }
@c @implementation
public func pm_market_token_count(_ m: OpaquePointer?) -> Int { market(m)?.tokenIds.count ?? 0 }

@c @implementation
public func pm_market_token_id(_ m: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let record = market(m), index >= 0, index < record.tokenIds.count else { return emptyCString }
    return record.tokenIds[index].borrowed
}

@c @implementation
public func pm_market_token_outcome(_ m: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let record = market(m), index >= 0, index < record.outcomes.count else { return emptyCString }
    return record.outcomes[index].borrowedOrEmpty
}

@c @implementation
public func pm_client_fetch_orderbook(_ client: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try clientHandle(client)
        let token = try requiredString(tokenId, "token_id")
        let book = try handle.run { try await handle.client.fetchOrderBook(tokenId: token) }
        out.pointee = Handle.retain(BookRecord(book))
    }
}

@c @implementation
public func pm_client_fetch_orderbooks(_ client: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?,
                                       _ count: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try clientHandle(client)
        var tokens: [String] = []
        if count > 0 {
            let pointers = try requireArgument(tokenIds, "token_ids")
            for index in 0..<count { tokens.append(try requiredString(pointers[index], "token_ids[\(index)]")) }
        } else if count < 0 {
            throw PMError(.invalidArgument, "count: too large")
        }
        let requested = tokens
        let books = try handle.run { try await handle.client.fetchOrderBooks(tokenIds: requested) }
        out.pointee = Handle.retain(BookList(books))
    }
}

@c @implementation
public func pm_books_count(_ books: OpaquePointer?) -> Int { Handle.get(books, as: BookList.self)?.records.count ?? 0 }

@c @implementation
public func pm_books_at(_ books: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let list = Handle.get(books, as: BookList.self), index >= 0, index < list.records.count else { return nil }
    return Handle.borrow(list.records[index])
}

@c @implementation
public func pm_books_free(_ books: OpaquePointer?) { Handle.release(books) }
@c @implementation
public func pm_book_free(_ book: OpaquePointer?) { Handle.release(book) }

private func book(_ pointer: OpaquePointer?) -> BookRecord? { Handle.get(pointer, as: BookRecord.self) }

@c @implementation
public func pm_book_token_id(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { book(b)?.tokenId.borrowed ?? emptyCString }
@c @implementation
public func pm_book_condition_id(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { book(b)?.conditionId.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_book_timestamp_ms(_ b: OpaquePointer?) -> Int64 { book(b)?.book.timestampMs ?? 0 }
@c @implementation
public func pm_book_hash(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { book(b)?.hash.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_book_tick_size(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { book(b)?.tickSize.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_book_min_order_size(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { book(b)?.minOrderSize.borrowedOrEmpty ?? emptyCString }

@c @implementation
public func pm_book_level_count(_ b: OpaquePointer?, _ side: pm_side) -> Int {
    guard let record = book(b) else { return 0 }
    switch side {
    case PM_SIDE_BID: return record.book.bids.count
    case PM_SIDE_ASK: return record.book.asks.count
    default: return 0
    }
}

@c @implementation
public func pm_book_level_price(_ b: OpaquePointer?, _ side: pm_side, _ index: Int) -> UnsafePointer<CChar>? {
    book(b)?.strings(side, index)?.price.borrowed ?? emptyCString
}
@c @implementation
public func pm_book_level_price_micros(_ b: OpaquePointer?, _ side: pm_side, _ index: Int) -> Int64 {
    book(b)?.level(side, index)?.price.micros ?? -1
}
@c @implementation
public func pm_book_level_size(_ b: OpaquePointer?, _ side: pm_side, _ index: Int) -> UnsafePointer<CChar>? {
    book(b)?.strings(side, index)?.size.borrowed ?? emptyCString
}
@c @implementation
public func pm_book_levels_text(_ b: OpaquePointer?, _ side: pm_side) -> UnsafePointer<CChar>? {
    book(b)?.levelsText(side)?.borrowed ?? emptyCString
}
@c @implementation
public func pm_book_level_size_micros(_ b: OpaquePointer?, _ side: pm_side, _ index: Int) -> Int64 {
    book(b)?.level(side, index)?.size.micros ?? -1
}

@c @implementation
public func pm_client_fetch_trades(_ client: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ limit: Int,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try clientHandle(client)
        let token = try requiredString(tokenId, "token_id")
        guard limit != 0 else { throw PMError(.invalidArgument, "limit: must be > 0") }
        // size_t above Int.max arrives negative: it means "as many as possible".
        let wanted = limit < 0 ? Int.max : limit
        let trades = try handle.run { try await handle.client.fetchTrades(tokenId: token, limit: wanted) }
        out.pointee = Handle.retain(TradeList(trades))
    }
}

// MARK: fetcher (G1, G3)

private func fetcherHandle(_ pointer: OpaquePointer?) throws -> FetcherHandle {
    guard let handle = Handle.get(pointer, as: FetcherHandle.self) else {
        throw PMError(.invalidArgument, "fetcher: must not be NULL")
    }
    return handle
}

@c @implementation
public func pm_fetcher_new(_ client: OpaquePointer?, _ maxAgeSeconds: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let owner = try clientHandle(client)
        let fetcher = try TradeFetcher(source: owner.client, maxAgeSeconds: maxAgeSeconds)
        out.pointee = Handle.retain(FetcherHandle(owner: owner, fetcher: fetcher))
    }
}

@c @implementation
public func pm_fetcher_free(_ fetcher: OpaquePointer?) { Handle.release(fetcher) }

@c @implementation
public func pm_fetcher_fetch_recent_trades(_ fetcher: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ maxAgeSeconds: Int64,
                                           _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                           _ outDroppedStale: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        outDroppedStale?.pointee = 0
        let handle = try fetcherHandle(fetcher)
        let token = try requiredString(tokenId, "token_id")
        let fetcher = handle.fetcher
        let report = try handle.owner.run {
            try await fetcher.fetchRecentTradesReport(tokenId: token, maxAgeSeconds: maxAgeSeconds < 0 ? nil : maxAgeSeconds)
        }
        out.pointee = Handle.retain(TradeList(report.trades))
        outDroppedStale?.pointee = report.droppedStale
    }
}

@c @implementation
public func pm_fetcher_fetch_trade_size_at_price(_ fetcher: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?,
                                                 _ targetPrice: UnsafePointer<CChar>?, _ priceTolerance: UnsafePointer<CChar>?,
                                                 _ maxAgeSeconds: Int64,
                                                 _ outSize: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pm_status {
    withStatus {
        let outSize = try requireArgument(outSize, "out_size")
        outSize.pointee = nil
        let handle = try fetcherHandle(fetcher)
        let token = try requiredString(tokenId, "token_id")
        let target = try decimalArgument(targetPrice, "target_price", default: nil)
        let tolerance = try decimalArgument(priceTolerance, "price_tolerance", default: TradeFetcher.defaultPriceTolerance)
        let maxAge = maxAgeSeconds < 0 ? TradeFetcher.defaultSizeLookupMaxAgeSeconds : maxAgeSeconds
        let fetcher = handle.fetcher
        let size = try handle.owner.run {
            try await fetcher.fetchTradeSizeAtPrice(tokenId: token, targetPrice: target, priceTolerance: tolerance,
                                                    maxAgeSeconds: maxAge)
        }
        if let size { outSize.pointee = try ownedCopy(size.description) }
    }
}

@c @implementation
public func pm_fetch_recent_trades(_ client: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ maxAgeSeconds: Int64,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try clientHandle(client)
        let token = try requiredString(tokenId, "token_id")
        guard maxAgeSeconds >= 0 else { throw PMError(.invalidArgument, "max_age_seconds: must be >= 0") }
        let client = handle.client
        let trades = try handle.run { try await fetchRecentTrades(client: client, tokenId: token, maxAgeSeconds: maxAgeSeconds) }
        out.pointee = Handle.retain(TradeList(trades))
    }
}

// MARK: G5

@c @implementation
public func pm_verify_orderbook_price(_ client: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?,
                                      _ expectedPrice: UnsafePointer<CChar>?, _ maxDeviation: UnsafePointer<CChar>?,
                                      _ outValid: UnsafeMutablePointer<Bool>?,
                                      _ outBestBid: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                      _ outReason: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pm_status {
    withStatus {
        let outValid = try requireArgument(outValid, "out_valid")
        outValid.pointee = false
        outBestBid?.pointee = nil
        outReason?.pointee = nil
        let handle = try clientHandle(client)
        let token = try requiredString(tokenId, "token_id")
        let expected = try decimalArgument(expectedPrice, "expected_price", default: nil)
        let deviation = try decimalArgument(maxDeviation, "max_deviation", default: OrderBookVerification.defaultMaxDeviation)
        let client = handle.client
        let result = try handle.run {
            try await verifyOrderbookPrice(client: client, tokenId: token, expectedPrice: expected, maxDeviation: deviation)
        }
        // Allocate both strings before publishing anything, so a failure leaves no half-filled outputs.
        let bestBid = try result.bestBid.map { try ownedCopy($0.description) }
        let reason: UnsafeMutablePointer<CChar>?
        do { reason = outReason == nil ? nil : try ownedCopy(result.reason) } catch {
            pm_string_free(bestBid)
            throw error
        }
        outValid.pointee = result.isValid
        if let outBestBid { outBestBid.pointee = bestBid } else { pm_string_free(bestBid) }
        outReason?.pointee = reason
    }
}

// MARK: MetadataSync

@c @implementation
public func pm_metadata_sync(_ client: OpaquePointer?, _ store: OpaquePointer?, _ outMarkets: UnsafeMutablePointer<Int>?,
                             _ outInserted: UnsafeMutablePointer<Int>?, _ outUpdated: UnsafeMutablePointer<Int>?,
                             _ outUnchanged: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        let handle = try clientHandle(client)
        guard let storeHandle = Handle.get(store, as: StoreHandle.self) else {
            throw PMError(.invalidArgument, "store: must not be NULL")
        }
        let sync = MetadataSync(client: handle.client, database: storeHandle.database)
        let report = try handle.run { try await sync.sync() }
        outMarkets?.pointee = report.markets
        outInserted?.pointee = report.inserted
        outUpdated?.pointee = report.updated
        outUnchanged?.pointee = report.unchanged
    }
}
