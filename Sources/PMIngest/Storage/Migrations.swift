/// The schema, as an ordered list of migrations keyed on `PRAGMA user_version`.
/// Append only: a released migration is never edited, a new one is added at the end.
enum Migrations {
    /// 'PMIG': marks the file as a pmingest database, so another application's file is refused.
    static let applicationID: Int64 = 0x504D_4947

    static let steps: [String] = [
        // 1: trades, watermarks, token metadata. Prices and sizes are int64 micro-units,
        // timestamps int64 ms, token ids TEXT (78-digit integers do not fit any SQL integer).
        """
        CREATE TABLE trades (
            id               TEXT PRIMARY KEY,
            token_id         TEXT NOT NULL,
            condition_id     TEXT,
            side             TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
            price_micros     INTEGER NOT NULL CHECK (price_micros >= 0),
            size_micros      INTEGER NOT NULL CHECK (size_micros >= 0),
            timestamp_ms     INTEGER NOT NULL,
            transaction_hash TEXT,
            proxy_wallet     TEXT,
            outcome          TEXT
        );
        CREATE INDEX trades_by_token_time ON trades (token_id, timestamp_ms);
        CREATE TABLE trade_watermarks (
            condition_id  TEXT PRIMARY KEY,
            last_trade_ms INTEGER NOT NULL,
            updated_at_ms INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE token_meta (
            token_id              TEXT PRIMARY KEY,
            condition_id          TEXT NOT NULL,
            question              TEXT,
            outcome               TEXT,
            outcome_index         INTEGER,
            tick_size_micros      INTEGER,
            min_order_size_micros INTEGER,
            neg_risk              INTEGER NOT NULL,
            active                INTEGER NOT NULL,
            closed                INTEGER NOT NULL,
            end_date_ms           INTEGER,
            market_slug           TEXT,
            updated_at_ms         INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX token_meta_by_condition ON token_meta (condition_id);
        """,
    ]

    static var latestVersion: Int64 { Int64(steps.count) }

    /// Read-only: refuses a file that is not a database, belongs to another application, or has a
    /// newer schema — before anything (even the journal mode) is written to it.
    static func check(_ connection: SQLiteConnection) throws -> Int64 {
        let version = try pragmaInteger(connection, "user_version")
        let application = try pragmaInteger(connection, "application_id")
        if application != 0 && application != applicationID {
            throw PMError(.corrupt, "not a pmingest database (application_id \(application))")
        }
        if version > latestVersion {
            throw PMError(.corrupt, "database schema version \(version) is newer than this library's \(latestVersion); upgrade pmingest")
        }
        return version
    }

    /// Brings the schema up to date in one transaction (after `check`).
    static func migrate(_ connection: SQLiteConnection) throws {
        let version = try check(connection)
        if version == latestVersion { return }
        try connection.transaction {
            for index in Int(version)..<steps.count {
                try connection.execute(steps[index])
            }
            try connection.execute("PRAGMA application_id = \(applicationID)")
            try connection.execute("PRAGMA user_version = \(latestVersion)")
        }
    }

    static func pragmaInteger(_ connection: SQLiteConnection, _ name: String) throws -> Int64 {
        let statement = try connection.statement("PRAGMA \(name)")
        defer { statement.reset() }
        guard try statement.step() else { return 0 }
        return statement.int64(0, default: 0)
    }
}
