// pm_client_fetch_prices / _midpoints / _last_trade_prices and pm_token_prices_*.
// Boxing only: chunking, validation and decoding are the core's (PolymarketClient+Prices).
import CPMIngest
import PMIngest

/// pm_token_prices: rows ordered by token id, their strings made once (accessors lend them).
final class TokenPriceList {
    struct Row {
        let token: OwnedCString
        let price: OwnedCString
        let micros: Int64
        let side: TradeSide?
    }

    let rows: [Row]

    /// Rows as (price, side); plain prices and midpoints carry the side asked, or none.
    init(_ trades: [String: LastTradePrice]) {
        rows = trades.keys.sorted().compactMap { token in
            trades[token].map {
                Row(token: OwnedCString(token), price: OwnedCString($0.price.description), micros: $0.price.micros, side: $0.side)
            }
        }
    }

    func row(_ index: Int) -> Row? { index >= 0 && index < rows.count ? rows[index] : nil }
}

private func pricesClient(_ pointer: OpaquePointer?) throws -> ClientHandle {
    guard let handle = Handle.get(pointer, as: ClientHandle.self) else { throw PMError(.invalidArgument, "client: must not be NULL") }
    return handle
}

private func fetchList(_ client: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
                       _ out: UnsafeMutablePointer<OpaquePointer?>?,
                       _ fetch: @escaping @Sendable (PolymarketClient, [String]) async throws -> [String: LastTradePrice]) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try pricesClient(client)
        let tokens = try stringArray(tokenIds, count, "token_ids")
        let rows = try handle.run { try await fetch(handle.client, tokens) }
        out.pointee = Handle.retain(TokenPriceList(rows))
    }
}

@c @implementation
public func pm_client_fetch_prices(_ client: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
                                   _ side: pm_side, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    let wanted: TradeSide?
    switch side {
    case PM_SIDE_BID: wanted = .buy
    case PM_SIDE_ASK: wanted = .sell
    default: wanted = nil
    }
    guard let wanted else {
        return withStatus {
            out?.pointee = nil
            throw PMError(.invalidArgument, "side: must be PM_SIDE_BID or PM_SIDE_ASK, got \(side.rawValue)")
        }
    }
    return fetchList(client, tokenIds, count, out) { client, tokens in
        try await client.fetchPrices(tokenIds: tokens, side: wanted).mapValues { LastTradePrice(price: $0, side: wanted) }
    }
}

@c @implementation
public func pm_client_fetch_midpoints(_ client: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?, _ count: Int,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    fetchList(client, tokenIds, count, out) { client, tokens in
        try await client.fetchMidpoints(tokenIds: tokens).mapValues { LastTradePrice(price: $0, side: nil) }
    }
}

@c @implementation
public func pm_client_fetch_last_trade_prices(_ client: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?,
                                              _ count: Int, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    fetchList(client, tokenIds, count, out) { client, tokens in
        try await client.fetchLastTradePrices(tokenIds: tokens)
    }
}

private func list(_ pointer: OpaquePointer?) -> TokenPriceList? { Handle.get(pointer, as: TokenPriceList.self) }

@c @implementation
public func pm_token_prices_count(_ prices: OpaquePointer?) -> Int { list(prices)?.rows.count ?? 0 }

@c @implementation
public func pm_token_prices_token_id(_ prices: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    list(prices)?.row(index)?.token.borrowed ?? emptyCString
}

@c @implementation
public func pm_token_prices_price(_ prices: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    list(prices)?.row(index)?.price.borrowed ?? emptyCString
}

@c @implementation
public func pm_token_prices_price_micros(_ prices: OpaquePointer?, _ index: Int) -> Int64 {
    list(prices)?.row(index)?.micros ?? -1
}

@c @implementation
public func pm_token_prices_side(_ prices: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    switch list(prices)?.row(index)?.side {
    case .buy?: return staticCString("BUY")
    case .sell?: return staticCString("SELL")
    case nil: return emptyCString
    }
}

@c @implementation
public func pm_token_prices_free(_ prices: OpaquePointer?) { Handle.release(prices) }
