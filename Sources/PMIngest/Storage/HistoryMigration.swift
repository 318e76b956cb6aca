/// The schema step of the history tables: trade coverage (what a backfill has proven complete)
/// and price history. Kept in its own static so the step's SQL is reviewed in one place; it is
/// appended to `Migrations.steps` (append-only, like every step).
enum HistoryMigration {
    /// `trade_coverage`: per market, the closed interval [oldest_ms, newest_ms] of trade
    /// timestamps whose trades are ALL stored — only ever grown by a walk that reached it
    /// contiguously (see `TradeBackfill`). `price_history`: one price per token and second,
    /// exact micro-units.
    static let createTables = """
        CREATE TABLE trade_coverage (
            condition_id  TEXT PRIMARY KEY,
            oldest_ms     INTEGER NOT NULL,
            newest_ms     INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL,
            CHECK (oldest_ms <= newest_ms)
        ) WITHOUT ROWID;
        CREATE TABLE price_history (
            token_id     TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            price_micros INTEGER NOT NULL CHECK (price_micros >= 0),
            PRIMARY KEY (token_id, timestamp_ms)
        ) WITHOUT ROWID;
        """
}
