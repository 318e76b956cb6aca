/// What an upsert did.
public enum UpsertChange: Sendable, Equatable {
    case inserted
    case updated
    case unchanged
}

/// Token metadata (from Gamma), keyed by token id.
public struct TokenMetaRepository: Sendable {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    private static let columns = """
        token_id, condition_id, question, outcome, outcome_index, tick_size_micros, min_order_size_micros,
        neg_risk, active, closed, end_date_ms, market_slug, updated_at_ms, protocol_version
        """

    /// Inserts or updates one token's metadata; an identical record is left alone (`.unchanged`).
    @discardableResult
    public func upsert(_ meta: PolymarketTokenMeta) throws -> UpsertChange {
        let meta = try meta.validated()
        let now = database.clock.nowMilliseconds()
        return try database.withConnection { connection in
            try connection.transaction {
                let existing = try Self.read(meta.tokenId, on: connection)
                if let existing, existing.sameContent(as: meta) { return .unchanged }
                let statement = try connection.statement("""
                    INSERT OR REPLACE INTO token_meta (\(Self.columns))
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                    """)
                statement.bind(1, meta.tokenId)
                statement.bind(2, meta.conditionId)
                statement.bind(3, meta.question)
                statement.bind(4, meta.outcome)
                statement.bind(5, meta.outcomeIndex.map(Int64.init))
                statement.bind(6, meta.tickSize?.micros)
                statement.bind(7, meta.minOrderSize?.micros)
                statement.bind(8, meta.negRisk)
                statement.bind(9, meta.active)
                statement.bind(10, meta.closed)
                statement.bind(11, meta.endDateMs)
                statement.bind(12, meta.marketSlug)
                statement.bind(13, now)
                statement.bind(14, meta.protocolVersion?.rawValue)
                try statement.step()
                return existing == nil ? .inserted : .updated
            }
        }
    }

    /// The metadata of `tokenId`, or nil.
    public func get(tokenId: String) throws -> PolymarketTokenMeta? {
        try FieldCheck.tokenID(tokenId)
        return try database.withConnection { try Self.read(tokenId, on: $0) }
    }

    /// Every stored record, ordered by condition id, outcome index, token id.
    public func list() throws -> [PolymarketTokenMeta] {
        try database.withConnection { connection in
            let statement = try connection.statement(
                "SELECT \(Self.columns) FROM token_meta ORDER BY condition_id, outcome_index, token_id")
            defer { statement.reset() }
            var result: [PolymarketTokenMeta] = []
            while try statement.step() { result.append(try Self.row(statement)) }
            return result
        }
    }

    private static func read(_ tokenId: String, on connection: SQLiteConnection) throws -> PolymarketTokenMeta? {
        let statement = try connection.statement("SELECT \(columns) FROM token_meta WHERE token_id = ?1")
        defer { statement.reset() }
        statement.bind(1, tokenId)
        guard try statement.step() else { return nil }
        return try row(statement)
    }

    private static func row(_ s: SQLiteStatement) throws -> PolymarketTokenMeta {
        guard let token = s.string(0), let condition = s.string(1) else {
            throw PMError(.corrupt, "token_meta table holds a row without ids")
        }
        var version: MarketProtocolVersion?
        if let text = s.string(13) {
            guard let known = MarketProtocolVersion(rawValue: text) else {
                throw PMError(.corrupt, "token_meta row of token \(token): unknown protocol_version \"\(text)\"")
            }
            version = known
        }
        return PolymarketTokenMeta(
            tokenId: token, conditionId: condition, question: s.string(2), outcome: s.string(3),
            outcomeIndex: s.int64(4).map { Int($0) }, tickSize: s.int64(5).map(Price.init(micros:)),
            minOrderSize: s.int64(6).map(Size.init(micros:)), negRisk: s.int64(7, default: 0) != 0,
            active: s.int64(8, default: 0) != 0, closed: s.int64(9, default: 0) != 0, endDateMs: s.int64(10),
            marketSlug: s.string(11), updatedAtMs: s.int64(12), protocolVersion: version)
    }
}
