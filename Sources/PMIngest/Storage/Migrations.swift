/// The schema, as an ordered list of migrations keyed on `PRAGMA user_version`.
/// Append only: a released migration is never edited, a new one is added at the end.
enum Migrations {
    /// 'PMIG': marks the file as a pmingest database, so another application's file is refused.
    static let applicationID: Int64 = 0x504D_4947

    /// One schema step: SQL, or Swift code where SQL cannot express it. Both run inside the
    /// migration's transaction, on its connection.
    enum Step: Sendable {
        case sql(String)
        case code(@Sendable (SQLiteConnection) throws -> Void)
    }

    static let steps: [Step] = [
        // 1: trades, watermarks, token metadata. Prices and sizes are int64 micro-units,
        // timestamps int64 ms, token ids TEXT (78-digit integers do not fit any SQL integer).
        .sql("""
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
        """),
        // 2: trade ids re-derived with length-prefixed fields ("pmtrade2"); the schema is unchanged.
        .code(TradeIDMigration.rederiveIDs),
        // 3: the market's protocol version ('v1' | 'v2', Gamma's `version`) on each token; NULL
        // for rows written before it was kept (unknown, not assumed).
        .sql("ALTER TABLE token_meta ADD COLUMN protocol_version TEXT CHECK (protocol_version IN ('v1', 'v2'))"),
        // 4: trade coverage and price history (see HistoryMigration).
        .sql(HistoryMigration.createTables),
    ]

    /// The tables every pmingest schema version has: a file marked 'PMIG' without them is damaged
    /// or not pmingest's.
    static let requiredTables = ["trades", "trade_watermarks", "token_meta"]

    static var latestVersion: Int64 { Int64(steps.count) }

    /// Read-only (callers hold a transaction, so the reads agree): the schema version of a file
    /// pmingest may use, or a refusal — before anything
    /// (even the journal mode) is written to it. A file is pmingest's when it is empty (a new
    /// database: application_id 0, user_version 0, no schema objects) or marked 'PMIG' with a
    /// known version and pmingest's tables. Anything else — garbage, another application's
    /// application_id, a plain SQLite file with tables or a user_version of its own, a newer
    /// schema — is refused with `.corrupt`: migrating it would change another program's file.
    static func check(_ connection: SQLiteConnection) throws -> Int64 {
        let version = try pragmaInteger(connection, "user_version")
        let application = try pragmaInteger(connection, "application_id")
        let tables = try tableNames(connection)
        let objects = try schemaObjectCount(connection)
        switch application {
        case 0:
            if version == 0 && objects == 0 { return 0 }
            throw PMError(.corrupt, """
                not a pmingest database: application_id 0 (pmingest's is 'PMIG'), user_version \(version), \
                \(objects) schema objects of its own; another application's SQLite file is never changed
                """)
        case applicationID:
            if version > latestVersion {
                throw PMError(.corrupt, "database schema version \(version) is newer than this library's \(latestVersion); upgrade pmingest")
            }
            let missing = requiredTables.filter { !tables.contains($0) }
            guard version >= 1, missing.isEmpty else {
                throw PMError(.corrupt, """
                    marked as a pmingest database but not one: user_version \(version), \
                    missing table(s) \(missing.isEmpty ? "none" : missing.joined(separator: ", ")); damaged or made by another program
                    """)
            }
            return version
        default:
            throw PMError(.corrupt, "not a pmingest database (application_id \(application))")
        }
    }

    /// `check` on one snapshot: its reads cannot straddle another process's migration.
    static func inspect(_ connection: SQLiteConnection) throws -> Int64 {
        try connection.readTransaction { try check(connection) }
    }

    /// Brings the schema up to date. Reads the version again inside the write transaction
    /// (BEGIN IMMEDIATE): another process opening the same new file may have migrated it since
    /// `check`, and two migrations of one file must never both run.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.transaction {
            let version = try check(connection)
            if version >= latestVersion { return }
            for step in steps[Int(version)...] {
                switch step {
                case .sql(let sql): try connection.execute(sql)
                case .code(let body): try body(connection)
                }
            }
            try connection.execute("PRAGMA application_id = \(applicationID)")
            try connection.execute("PRAGMA user_version = \(latestVersion)")
        }
    }

    private static func tableNames(_ connection: SQLiteConnection) throws -> Set<String> {
        let statement = try connection.statement("SELECT name FROM sqlite_master WHERE type = 'table'")
        defer { statement.reset() }
        var names: Set<String> = []
        while try statement.step() { if let name = statement.string(0) { names.insert(name) } }
        return names
    }

    private static func schemaObjectCount(_ connection: SQLiteConnection) throws -> Int64 {
        let statement = try connection.statement("SELECT count(*) FROM sqlite_master")
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int64(0, default: 0)
    }

    static func pragmaInteger(_ connection: SQLiteConnection, _ name: String) throws -> Int64 {
        let statement = try connection.statement("PRAGMA \(name)")
        defer { statement.reset() }
        guard try statement.step() else { return 0 }
        return statement.int64(0, default: 0)
    }
}
