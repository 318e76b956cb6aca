/// Stores and reads trades. Upserts are idempotent: a trade's id is derived from its content.
public struct TradeRepository: Sendable {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    private static let insertSQL = """
        INSERT INTO trades (id, token_id, condition_id, side, price_micros, size_micros, timestamp_ms,
                            transaction_hash, proxy_wallet, outcome)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        ON CONFLICT (id) DO NOTHING
        """
    // The id pins every identifying field; only the descriptive ones can change on a rewrite.
    private static let updateSQL = """
        UPDATE trades SET condition_id = coalesce(?2, condition_id), outcome = coalesce(?3, outcome)
        WHERE id = ?1
        """
    private static let columns = """
        id, token_id, condition_id, side, price_micros, size_micros, timestamp_ms, transaction_hash,
        proxy_wallet, outcome
        """

    /// Inserts the trade or rewrites the existing row with its id. Returns true for a new row.
    @discardableResult
    public func upsert(_ trade: PolymarketTrade) throws -> Bool {
        try database.withConnection { connection in
            try connection.transaction {
                try Self.write(trade, insert: try connection.statement(Self.insertSQL), on: connection)
            }
        }
    }

    /// Upserts every trade in one transaction with one prepared statement: all rows or none.
    /// Returns how many were new.
    @discardableResult
    public func upsert(_ trades: [PolymarketTrade]) throws -> Int {
        if trades.isEmpty { return 0 }
        return try database.withConnection { connection in
            try connection.transaction {
                // One prepared statement for the whole batch: the cache lookup hashes the SQL text,
                // which is measurable at 100k rows/s.
                let insert = try connection.statement(Self.insertSQL)
                var inserted = 0
                for (index, trade) in trades.enumerated() {
                    do {
                        if try Self.write(trade, insert: insert, on: connection) { inserted += 1 }
                    } catch let error as PMError {
                        throw PMError(error.kind, "row \(index): \(error.message)")
                    }
                }
                return inserted
            }
        }
    }

    private static func write(_ trade: PolymarketTrade, insert: SQLiteStatement, on connection: SQLiteConnection) throws -> Bool {
        insert.reset()
        insert.bind(1, trade.id)
        insert.bind(2, trade.tokenId)
        insert.bind(3, trade.conditionId)
        insert.bind(4, trade.side.rawValue)
        insert.bind(5, trade.price.micros)
        insert.bind(6, trade.size.micros)
        insert.bind(7, trade.timestampMs)
        insert.bind(8, trade.transactionHash)
        insert.bind(9, trade.proxyWallet)
        insert.bind(10, trade.outcome)
        try insert.step()
        if connection.changes == 1 { return true }
        let update = try connection.statement(updateSQL)
        update.bind(1, trade.id)
        update.bind(2, trade.conditionId)
        update.bind(3, trade.outcome)
        try update.step()
        return false
    }

    /// Trades of `tokenId` with `fromMs <= timestamp <= toMs`, oldest first (ties by id).
    /// - Parameter limit: at most this many rows (nil = all).
    public func trades(tokenId: String, fromMs: Int64 = Int64.min, toMs: Int64 = Int64.max,
                       limit: Int? = nil) throws -> [PolymarketTrade] {
        try FieldCheck.tokenID(tokenId)
        guard fromMs <= toMs else { throw PMError(.invalidArgument, "time range: from (\(fromMs)) is after to (\(toMs))") }
        if let limit, limit < 0 { throw PMError(.invalidArgument, "limit: must be >= 0") }
        return try database.withConnection { connection in
            let statement = try connection.statement("""
                SELECT \(Self.columns) FROM trades
                WHERE token_id = ?1 AND timestamp_ms BETWEEN ?2 AND ?3
                ORDER BY timestamp_ms, id LIMIT ?4
                """)
            defer { statement.reset() }
            statement.bind(1, tokenId)
            statement.bind(2, fromMs)
            statement.bind(3, toMs)
            statement.bind(4, Int64(limit ?? -1))  // SQLite: a negative LIMIT means none
            var result: [PolymarketTrade] = []
            while try statement.step() {
                result.append(try Self.row(statement))
            }
            return result
        }
    }

    /// Number of stored trades, of one token or (nil) of all.
    public func count(tokenId: String? = nil) throws -> Int {
        if let tokenId { try FieldCheck.tokenID(tokenId) }
        return try database.withConnection { connection in
            let statement = try connection.statement(
                tokenId == nil ? "SELECT count(*) FROM trades" : "SELECT count(*) FROM trades WHERE token_id = ?1")
            defer { statement.reset() }
            if let tokenId { statement.bind(1, tokenId) }
            _ = try statement.step()
            return Int(statement.int64(0, default: 0))
        }
    }

    private static func row(_ s: SQLiteStatement) throws -> PolymarketTrade {
        guard let id = s.string(0), let token = s.string(1), let sideText = s.string(3),
              let side = TradeSide(wire: sideText) else {
            throw PMError(.corrupt, "trades table holds a row with missing or invalid fields")
        }
        return PolymarketTrade(storedID: id, tokenId: token, conditionId: s.string(2), side: side,
                               price: Price(micros: s.int64(4, default: 0)), size: Size(micros: s.int64(5, default: 0)),
                               timestampMs: s.int64(6, default: 0), transactionHash: s.string(7),
                               proxyWallet: s.string(8), outcome: s.string(9))
    }
}
