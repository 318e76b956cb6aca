/// What a backfill has proven about one market's stored trades: every trade with
/// `oldestMs <= timestamp <= newestMs` is in the store. `oldestMs` 0 means "back to the start of
/// what the tape serves".
public struct TradeCoverage: Sendable, Equatable {
    public let conditionId: String
    public let oldestMs: Int64
    public let newestMs: Int64
    public let updatedAtMs: Int64
}

/// Reads and grows `trade_coverage`. Coverage only grows, and only by an interval that overlaps
/// or touches the stored one: two disjoint intervals would claim the gap between them.
public struct TradeCoverageRepository: Sendable {
    public let database: Database

    public init(_ database: Database) { self.database = database }

    /// The coverage of `conditionId`, or nil when nothing is proven yet.
    public func get(conditionId: String) throws -> TradeCoverage? {
        try FieldCheck.identifier(conditionId, field: "condition_id")
        return try database.withConnection { try Self.read(conditionId, on: $0) }
    }

    /// Every market's coverage, by condition id.
    public func list() throws -> [TradeCoverage] {
        try database.withConnection { connection in
            let statement = try connection.statement(
                "SELECT condition_id, oldest_ms, newest_ms, updated_at_ms FROM trade_coverage ORDER BY condition_id")
            defer { statement.reset() }
            var result: [TradeCoverage] = []
            while try statement.step() {
                guard let condition = statement.string(0) else { throw PMError(.corrupt, "trade_coverage holds a row without a condition id") }
                result.append(TradeCoverage(conditionId: condition, oldestMs: statement.int64(1, default: 0),
                                            newestMs: statement.int64(2, default: 0), updatedAtMs: statement.int64(3, default: 0)))
            }
            return result
        }
    }

    /// Adds [oldestMs, newestMs] to the market's coverage when there is none yet or when it
    /// overlaps or touches the stored interval (the union is stored); a disjoint interval leaves
    /// the coverage unchanged. Returns the coverage in force and whether the interval was taken.
    @discardableResult
    public func merge(conditionId: String, oldestMs: Int64, newestMs: Int64) throws -> (coverage: TradeCoverage, merged: Bool) {
        try FieldCheck.identifier(conditionId, field: "condition_id")
        guard oldestMs >= 0, oldestMs <= newestMs else {
            throw PMError(.invalidArgument, "coverage: need 0 <= oldest_ms <= newest_ms, got [\(oldestMs), \(newestMs)]")
        }
        let now = database.clock.nowMilliseconds()
        return try database.withConnection { connection in
            try connection.transaction {
                var low = oldestMs, high = newestMs
                if let stored = try Self.read(conditionId, on: connection) {
                    // Touching counts: timestamps are integers, so [a, b] and [b + 1, c] leave no gap.
                    guard oldestMs <= stored.newestMs.addingClamped(1), newestMs >= stored.oldestMs.subtractingClamped(1) else {
                        return (stored, false)
                    }
                    low = min(low, stored.oldestMs)
                    high = max(high, stored.newestMs)
                    if low == stored.oldestMs && high == stored.newestMs { return (stored, true) }
                }
                let statement = try connection.statement("""
                    INSERT INTO trade_coverage (condition_id, oldest_ms, newest_ms, updated_at_ms) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (condition_id) DO UPDATE
                    SET oldest_ms = excluded.oldest_ms, newest_ms = excluded.newest_ms, updated_at_ms = excluded.updated_at_ms
                    """)
                statement.bind(1, conditionId)
                statement.bind(2, low)
                statement.bind(3, high)
                statement.bind(4, now)
                try statement.step()
                return (TradeCoverage(conditionId: conditionId, oldestMs: low, newestMs: high, updatedAtMs: now), true)
            }
        }
    }

    private static func read(_ conditionId: String, on connection: SQLiteConnection) throws -> TradeCoverage? {
        let statement = try connection.statement(
            "SELECT oldest_ms, newest_ms, updated_at_ms FROM trade_coverage WHERE condition_id = ?1")
        defer { statement.reset() }
        statement.bind(1, conditionId)
        guard try statement.step() else { return nil }
        return TradeCoverage(conditionId: conditionId, oldestMs: statement.int64(0, default: 0),
                             newestMs: statement.int64(1, default: 0), updatedAtMs: statement.int64(2, default: 0))
    }
}
