/// Stores and reads price history: one price per token and timestamp (a later write of the same
/// point replaces its price).
public struct PriceHistoryRepository: Sendable {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    /// Upserts the points in one transaction: all or none. Returns how many were new.
    @discardableResult
    public func upsert(_ points: [PricePoint]) throws -> Int {
        if points.isEmpty { return 0 }
        return try database.withConnection { connection in
            try connection.transaction {
                let exists = try connection.statement("SELECT 1 FROM price_history WHERE token_id = ?1 AND timestamp_ms = ?2")
                let write = try connection.statement("""
                    INSERT INTO price_history (token_id, timestamp_ms, price_micros) VALUES (?1, ?2, ?3)
                    ON CONFLICT (token_id, timestamp_ms) DO UPDATE SET price_micros = excluded.price_micros
                    """)
                var inserted = 0
                for point in points {
                    exists.reset()
                    exists.bind(1, point.tokenId)
                    exists.bind(2, point.timestampMs)
                    if !(try exists.step()) { inserted += 1 }
                    exists.reset()
                    write.reset()
                    write.bind(1, point.tokenId)
                    write.bind(2, point.timestampMs)
                    write.bind(3, point.price.micros)
                    try write.step()
                }
                return inserted
            }
        }
    }

    /// The token's points with `fromMs <= timestamp <= toMs`, oldest first.
    public func points(tokenId: String, fromMs: Int64 = Int64.min, toMs: Int64 = Int64.max) throws -> [PricePoint] {
        try FieldCheck.tokenID(tokenId)
        guard fromMs <= toMs else { throw PMError(.invalidArgument, "time range: from (\(fromMs)) is after to (\(toMs))") }
        return try database.withConnection { connection in
            let statement = try connection.statement("""
                SELECT timestamp_ms, price_micros FROM price_history
                WHERE token_id = ?1 AND timestamp_ms BETWEEN ?2 AND ?3 ORDER BY timestamp_ms
                """)
            defer { statement.reset() }
            statement.bind(1, tokenId)
            statement.bind(2, fromMs)
            statement.bind(3, toMs)
            var result: [PricePoint] = []
            while try statement.step() {
                result.append(PricePoint(storedToken: tokenId, timestampMs: statement.int64(0, default: 0),
                                         price: Price(micros: statement.int64(1, default: 0))))
            }
            return result
        }
    }
}
