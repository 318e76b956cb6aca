@_spi(PMIngestTools) import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// Text and JSON rendering for the CLI. JSON is built with the core's JSONValue so prices stay
/// decimal strings, exactly as stored.
enum Output {
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func shortToken(_ token: String) -> String {
        token.count <= 16 ? token : String(token.prefix(6)) + "…" + String(token.suffix(6))
    }

    static func tradeJSON(_ t: PolymarketTrade) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "id", value: .string(t.id)), .init(key: "token_id", value: .string(t.tokenId)),
            .init(key: "side", value: .string(t.side.rawValue)), .init(key: "price", value: .string(t.price.description)),
            .init(key: "size", value: .string(t.size.description)),
            .init(key: "timestamp_ms", value: .number(JSONNumber(t.timestampMs))),
        ]
        if let c = t.conditionId { members.append(.init(key: "condition_id", value: .string(c))) }
        if let h = t.transactionHash { members.append(.init(key: "transaction_hash", value: .string(h))) }
        if let w = t.proxyWallet { members.append(.init(key: "proxy_wallet", value: .string(w))) }
        if let o = t.outcome { members.append(.init(key: "outcome", value: .string(o))) }
        return .object(JSONObject(members))
    }

    static func metaJSON(_ m: PolymarketTokenMeta) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "token_id", value: .string(m.tokenId)), .init(key: "condition_id", value: .string(m.conditionId)),
            .init(key: "neg_risk", value: .bool(m.negRisk)), .init(key: "active", value: .bool(m.active)),
            .init(key: "closed", value: .bool(m.closed)),
        ]
        if let q = m.question { members.append(.init(key: "question", value: .string(q))) }
        if let o = m.outcome { members.append(.init(key: "outcome", value: .string(o))) }
        if let i = m.outcomeIndex { members.append(.init(key: "outcome_index", value: .number(JSONNumber(Int64(i))))) }
        if let t = m.tickSize { members.append(.init(key: "tick_size", value: .string(t.description))) }
        if let s = m.minOrderSize { members.append(.init(key: "min_order_size", value: .string(s.description))) }
        if let e = m.endDateMs { members.append(.init(key: "end_date", value: .string(ISO8601.format(milliseconds: e)))) }
        if let s = m.marketSlug { members.append(.init(key: "market_slug", value: .string(s))) }
        if let v = m.protocolVersion { members.append(.init(key: "protocol_version", value: .string(v.rawValue))) }
        return .object(JSONObject(members))
    }
}

extension Output {
    static func marketJSON(_ m: Market) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "id", value: .string(m.id)), .init(key: "condition_id", value: .string(m.conditionId)),
            .init(key: "active", value: .bool(m.active)), .init(key: "closed", value: .bool(m.closed)),
            .init(key: "neg_risk", value: .bool(m.negRisk)),
            .init(key: "protocol_version", value: .string(m.protocolVersion.rawValue)),
            .init(key: "tokens", value: .array(m.tokens.map { token in
                .object(JSONObject([.init(key: "token_id", value: .string(token.tokenId)),
                                    .init(key: "outcome", value: token.outcome.map(JSONValue.string) ?? .null)]))
            })),
        ]
        if let q = m.question { members.append(.init(key: "question", value: .string(q))) }
        if let t = m.tickSize { members.append(.init(key: "tick_size", value: .string(t.description))) }
        return .object(JSONObject(members))
    }

    static func bookJSON(_ b: OrderBook) -> JSONValue {
        func levels(_ side: [OrderBookLevel]) -> JSONValue {
            .array(side.map { .object(JSONObject([.init(key: "price", value: .string($0.price.description)),
                                                  .init(key: "size", value: .string($0.size.description))])) })
        }
        var members: [JSONObject.Member] = [.init(key: "token_id", value: .string(b.tokenId)),
                                            .init(key: "bids", value: levels(b.bids)), .init(key: "asks", value: levels(b.asks))]
        if let t = b.timestampMs { members.append(.init(key: "timestamp_ms", value: .number(JSONNumber(t)))) }
        return .object(JSONObject(members))
    }

    /// Standard output is a terminal: only then are progress lines and in-place redraws written
    /// (a pipe, a file or the journal gets plain lines, or nothing).
    static let stdoutIsTTY = isatty(STDOUT_FILENO) == 1

    nonisolated(unsafe) private static var progressShown = false

    /// One status line, rewritten in place on a terminal; nothing when stdout is not one.
    static func progress(_ line: String) {
        guard stdoutIsTTY else { return }
        print("\r\(line)\u{1B}[K", terminator: "")
        progressShown = true
        fflushStdout()
    }

    /// Ends the status line (a newline), if one was shown.
    static func endProgress() {
        if progressShown { print("") }
        progressShown = false
    }

    /// NDJSON: one compact JSON object per line, flushed (a pipe reader sees each line at once).
    static func ndjson(_ values: [JSONValue]) {
        for value in values { print(value.serialized()) }
        fflushStdout()
    }

    static func ndjson(_ value: JSONValue) { ndjson([value]) }
}
