/// Per-market watermarks: the newest trade timestamp already processed. Never moves backwards.
public struct TradeWatermarkRepository: Sendable {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    /// The watermark of `conditionId`, or nil when none was recorded.
    public func get(conditionId: String) throws -> TradeWatermark? {
        try FieldCheck.identifier(conditionId, field: "condition_id")
        return try database.withConnection { try Self.read(conditionId, on: $0) }
    }

    /// Moves the watermark to `lastTradeTimestampMs` if that is newer than the stored one and
    /// returns the watermark in force afterwards (unchanged when the new value is older).
    @discardableResult
    public func update(conditionId: String, lastTradeTimestampMs: Int64) throws -> TradeWatermark {
        try FieldCheck.identifier(conditionId, field: "condition_id")
        guard lastTradeTimestampMs >= 0 else {
            throw PMError(.invalidArgument, "last_trade_ms: must be >= 0, got \(lastTradeTimestampMs)")
        }
        let now = database.clock.nowMilliseconds()
        return try database.withConnection { connection in
            try connection.transaction {
                let statement = try connection.statement("""
                    INSERT INTO trade_watermarks (condition_id, last_trade_ms, updated_at_ms) VALUES (?1, ?2, ?3)
                    ON CONFLICT (condition_id) DO UPDATE
                    SET last_trade_ms = excluded.last_trade_ms, updated_at_ms = excluded.updated_at_ms
                    WHERE excluded.last_trade_ms > trade_watermarks.last_trade_ms
                    """)
                statement.bind(1, conditionId)
                statement.bind(2, lastTradeTimestampMs)
                statement.bind(3, now)
                try statement.step()
                guard let current = try Self.read(conditionId, on: connection) else {
                    throw PMError(.internal, "watermark of \(conditionId) vanished inside its transaction")
                }
                return current
            }
        }
    }

    private static func read(_ conditionId: String, on connection: SQLiteConnection) throws -> TradeWatermark? {
        let statement = try connection.statement(
            "SELECT last_trade_ms, updated_at_ms FROM trade_watermarks WHERE condition_id = ?1")
        defer { statement.reset() }
        statement.bind(1, conditionId)
        guard try statement.step() else { return nil }
        return TradeWatermark(conditionId: conditionId, lastTradeTimestampMs: statement.int64(0, default: 0),
                              updatedAtMs: statement.int64(1, default: 0))
    }
}
