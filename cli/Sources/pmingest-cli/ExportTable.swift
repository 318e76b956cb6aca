@_spi(PMIngestTools) import PMIngest

/// One value of an exported row, in the form CSV and NDJSON carry it.
enum ExportCell {
    case null, text(String), decimal(String), integer(Int64), bool(Bool), time(Int64)
}

/// The rows of one export, with the column names of the Python binding's tables
/// (bindings/python/pmingest/export.py) in the same order. Rows are made one at a time.
struct ExportTable {
    let columns: [String]
    let rows: AnySequence<[ExportCell]>

    static func trades(_ trades: [PolymarketTrade]) -> ExportTable {
        ExportTable(
            columns: ["id", "token_id", "condition_id", "side", "price", "size", "timestamp", "transaction_hash",
                      "proxy_wallet", "outcome"],
            rows: AnySequence(trades.lazy.map { t in
                [.text(t.id), .text(t.tokenId), optional(t.conditionId), .text(t.side.rawValue),
                 .decimal(t.price.description), .decimal(t.size.description), .time(t.timestampMs),
                 optional(t.transactionHash), optional(t.proxyWallet), optional(t.outcome)]
            }))
    }

    static func priceHistory(_ points: [PricePoint]) -> ExportTable {
        ExportTable(columns: ["token_id", "timestamp", "price"], rows: AnySequence(points.lazy.map { p in
            [.text(p.tokenId), .time(p.timestampMs), .decimal(p.price.description)]
        }))
    }

    static func tokenMetas(_ metas: [PolymarketTokenMeta]) -> ExportTable {
        ExportTable(
            columns: ["token_id", "condition_id", "question", "outcome", "outcome_index", "tick_size", "min_order_size",
                      "neg_risk", "active", "closed", "end_date", "market_slug", "updated_at", "protocol_version"],
            rows: AnySequence(metas.lazy.map { m in
                [.text(m.tokenId), .text(m.conditionId), optional(m.question), optional(m.outcome),
                 m.outcomeIndex.map { .integer(Int64($0)) } ?? .null,
                 m.tickSize.map { .decimal($0.description) } ?? .null,
                 m.minOrderSize.map { .decimal($0.description) } ?? .null,
                 .bool(m.negRisk), .bool(m.active), .bool(m.closed), knownTime(m.endDateMs), optional(m.marketSlug),
                 knownTime(m.updatedAtMs), optional(m.protocolVersion?.rawValue)]
            }))
    }

    private static func optional(_ text: String?) -> ExportCell { text.map(ExportCell.text) ?? .null }

    /// 0 is the store's "unknown" time (as the C ABI and the binding read it).
    private static func knownTime(_ ms: Int64?) -> ExportCell {
        guard let ms, ms != 0 else { return .null }
        return .time(ms)
    }

    // ---- CSV and NDJSON ----

    func csvHeader() -> String { columns.joined(separator: ",") + "\n" }

    static func csvLine(_ row: [ExportCell]) -> String {
        row.map(csvField).joined(separator: ",") + "\n"
    }

    static func csvField(_ cell: ExportCell) -> String {
        switch cell {
        case .null: return ""
        case .decimal(let text): return text
        case .integer(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .time(let ms): return ISO8601.format(milliseconds: ms)
        case .text(let text):
            let needsQuotes = text.isEmpty || text.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
            guard needsQuotes else { return text }
            var quoted = "\""
            for character in text.unicodeScalars {
                if character == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(character) }
            }
            return quoted + "\""
        }
    }

    func ndjsonLine(_ row: [ExportCell]) -> String {
        let members = zip(columns, row).map { name, cell -> JSONObject.Member in
            let value: JSONValue
            switch cell {
            case .null: value = .null
            case .text(let text), .decimal(let text): value = .string(text)
            case .integer(let number): value = .number(JSONNumber(number))
            case .bool(let flag): value = .bool(flag)
            case .time(let ms): value = .string(ISO8601.format(milliseconds: ms))
            }
            return JSONObject.Member(key: name, value: value)
        }
        return JSONValue.object(JSONObject(members)).serialized() + "\n"
    }

    /// `--since`/`--until`: milliseconds since the epoch, or an ISO 8601 time (UTC without an offset).
    static func time(_ text: String?, option: String) throws -> Int64? {
        guard let text else { return nil }
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let ms = Int64(text) { return ms }
        guard let ms = ISO8601.milliseconds(text) else {
            throw PMError(.invalidArgument, "\(option): not a time (ms since the epoch or ISO 8601): \"\(text)\"")
        }
        return ms
    }
}
