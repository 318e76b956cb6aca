import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// What opening does with the file it is given: new files opened by many at once, other
/// applications' files, read-only files, and databases of an older schema.
@Suite struct DatabaseOpeningTests {
    // MARK: many openers of one new file

    @Test func manyConnectionsOpeningOneNewFileAtOnceAllSucceed() throws {
        let openers = 8
        var failures: [String] = []
        for round in 0..<20 {
            let dir = TemporaryDirectory()
            let path = dir.file("race-\(round).db")
            let errors = Self.openTogether(path: path, count: openers)
            failures += errors.map { "round \(round): \($0)" }
            // every opener's write is there, and the schema is the current one
            let repo = TradeRepository(try Database(DatabaseConfig(path: path)))
            let stored = try repo.count()
            if errors.isEmpty && stored != openers { failures.append("round \(round): \(stored) of \(openers) trades stored") }
            let connection = try SQLiteConnection(path: path)
            #expect(try Migrations.pragmaInteger(connection, "user_version") == Migrations.latestVersion)
        }
        #expect(failures.isEmpty, "\(failures.count) failed opens, first: \(failures.first ?? "")")
    }

    /// `count` threads, released by one barrier, each opening `path` and writing one trade.
    /// Returns the errors.
    private static func openTogether(path: String, count: Int) -> [String] {
        let start = StartingGate(count)
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            Thread {
                start.wait()
                do {
                    let repo = TradeRepository(try Database(DatabaseConfig(path: path)))
                    try repo.upsert(try Sample.trade(at: 1_767_225_600_000 + Int64(index), tx: "0x\(index)"))
                } catch {
                    start.record("\(error)")
                }
                done.leave()
            }.start()
        }
        done.wait()
        return start.errors
    }

    // MARK: other applications' files

    /// `Database(path)` fails with `.corrupt` naming `why`; the file is unchanged, no -wal/-shm.
    private static func expectRefusedUntouched(_ path: String, _ why: String,
                                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: PMError.self, sourceLocation: sourceLocation) { try Database(DatabaseConfig(path: path)) }
        #expect(error?.kind == .corrupt, sourceLocation: sourceLocation)
        #expect(error?.message.contains(why) == true, "\(error?.message ?? "")", sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"), sourceLocation: sourceLocation)
    }

    @Test func plainSQLiteFilesOfOtherApplicationsAreRefusedUntouched() throws {
        let dir = TemporaryDirectory()
        let tables = dir.file("contacts.db")
        do { try SQLiteConnection(path: tables).execute("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')") }
        try Self.expectRefusedUntouched(tables, "not a pmingest database")

        let versioned = dir.file("versioned.db")
        do { try SQLiteConnection(path: versioned).execute("CREATE TABLE notes (body TEXT); PRAGMA user_version = 3") }
        try Self.expectRefusedUntouched(versioned, "not a pmingest database")
        #expect(try Migrations.pragmaInteger(try SQLiteConnection(path: versioned), "user_version") == 3)

        let versionOnly = dir.file("version-only.db")   // user_version 1 once passed for schema 1
        do { try SQLiteConnection(path: versionOnly).execute("PRAGMA user_version = 1") }
        try Self.expectRefusedUntouched(versionOnly, "not a pmingest database")

        let hollow = dir.file("hollow.db")
        do { try SQLiteConnection(path: hollow).execute("PRAGMA application_id = 1347242311; PRAGMA user_version = 1; CREATE TABLE x (y)") }
        try Self.expectRefusedUntouched(hollow, "trades")

        let empty = dir.file("empty.db")                // a 0-byte file is a new database
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        #expect(try TradeRepository(try Database(DatabaseConfig(path: empty))).count() == 0)
    }

    // MARK: read-only files

    /// Runs `body` with this thread's file-system uid set to `uid` (Linux setfsuid: this thread
    /// only, permission checks only). Returns false when the switch did not take (not root).
    private static func asFileSystemUser(_ uid: UInt32, _ body: () -> Void) -> Bool {
        typealias SetFSUID = @convention(c) (UInt32) -> Int32
        guard let symbol = dlsym(nil, "setfsuid") else { return false }
        let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
        let previous = UInt32(bitPattern: setfsuid(uid))
        defer { _ = setfsuid(previous) }
        guard UInt32(bitPattern: setfsuid(UInt32.max)) == uid else { return false }   // -1 only reads it
        body()
        return true
    }

    @Test func readOnlyFileIsRefusedAtOpen() throws {
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o777)   // SQLite could create -wal and -shm here: the file alone is read-only
        let path = dir.file("trades.db")
        do { try TradeRepository(try Database(DatabaseConfig(path: path))).upsert(try Sample.trade()) }
        chmod(path, 0o444)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var error: PMError?
        let dropped = Self.asFileSystemUser(65534) {
            error = #expect(throws: PMError.self) { try Database(DatabaseConfig(path: path)) }
        }
        if !dropped {   // not root: our own 0444 file is read-only to us already
            #expect(geteuid() != 0)
            error = #expect(throws: PMError.self) { try Database(DatabaseConfig(path: path)) }
        }
        #expect(error?.kind == .cantOpen)
        #expect(error?.message.contains("read-only") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(path) == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
    }

    // MARK: schema 1 trade ids

    /// Schema 1 exactly as pmingest 0.1 created it.
    static let schema1 = """
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
        PRAGMA application_id = 1347242311;
        PRAGMA user_version = 1;
        """

    /// The schema-1 id: SHA-256 of the fields joined by '|'.
    static func oldID(_ t: PolymarketTrade) -> String {
        let fields: [String] = [t.transactionHash ?? "", t.tokenId, t.side == .buy ? "BUY" : "SELL", String(t.size.micros),
                                String(t.price.micros), t.proxyWallet ?? "", String(t.timestampMs)]
        return SHA256.hex(("pmtrade1|" + fields.joined(separator: "|")).utf8)
    }

    @Test func schema1DatabaseIsUpgradedAndKnowsItsTradesAgain() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("schema1.db")
        // more rows than one migration chunk; some without hash or wallet
        var trades: [PolymarketTrade] = []
        for i in 0..<4_500 {
            let bare = i % 10 == 0
            let side: TradeSide = i % 2 == 0 ? .buy : .sell
            trades.append(try Sample.trade(at: 1_767_225_600_000 + Int64(i), side: side,
                                           tx: bare ? nil : "0x\(i)", wallet: bare ? nil : "0x1234"))
        }
        do {
            let old = try SQLiteConnection(path: path)
            try old.execute(Self.schema1)
            try old.execute("PRAGMA journal_mode = WAL")
            try old.transaction {
                for t in trades {
                    let insert = try old.statement("""
                        INSERT INTO trades VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                        """)
                    insert.bind(1, Self.oldID(t))
                    insert.bind(2, t.tokenId)
                    insert.bind(3, t.conditionId)
                    insert.bind(4, t.side.rawValue)
                    insert.bind(5, t.price.micros)
                    insert.bind(6, t.size.micros)
                    insert.bind(7, t.timestampMs)
                    insert.bind(8, t.transactionHash)
                    insert.bind(9, t.proxyWallet)
                    insert.bind(10, t.outcome)
                    try insert.step()
                }
            }
        }
        let repo = TradeRepository(try Database(DatabaseConfig(path: path)))
        #expect(try repo.count() == trades.count)
        #expect(try repo.upsert(trades) == 0)          // re-fetched after the upgrade: nothing new
        #expect(try repo.count() == trades.count)
        #expect(Set(try repo.trades(tokenId: Sample.token).map { $0.id }) == Set(trades.map { $0.id }))
        #expect(try Migrations.pragmaInteger(try SQLiteConnection(path: path), "user_version") >= 2)
    }

    @Test func tradesWhoseFieldsContainTheSeparatorAreBothStored() throws {
        // joined by bare '|' these two read the same: B was dropped as A's duplicate
        let a = try PolymarketTrade(tokenId: "123456", side: .buy, price: Price("0.5"), size: Size("10"),
                                    timestampMs: 1_767_225_600_000, transactionHash: "0xt",
                                    proxyWallet: "0xw|123456|BUY|10000000|500000|0xw")
        let b = try PolymarketTrade(tokenId: "123456", side: .buy, price: Price("0.5"), size: Size("10"),
                                    timestampMs: 1_767_225_600_000, transactionHash: "0xt|123456|BUY|10000000|500000|0xw",
                                    proxyWallet: "0xw")
        #expect(Self.oldID(a) == Self.oldID(b))    // the premise
        #expect(a.id != b.id)
        let repo = TradeRepository(try Database(.inMemory()))
        #expect(try repo.upsert([a, b]) == 2)
        #expect(try repo.count() == 2)
    }
}

/// A barrier for `count` threads, and the errors they report.
private final class StartingGate: @unchecked Sendable {
    private var barrier = pthread_barrier_t()
    private let lock = NSLock()
    private(set) var errors: [String] = []

    init(_ count: Int) { pthread_barrier_init(&barrier, nil, UInt32(count)) }
    deinit { pthread_barrier_destroy(&barrier) }

    func wait() { pthread_barrier_wait(&barrier) }

    func record(_ error: String) {
        lock.lock()
        errors.append(error)
        lock.unlock()
    }
}
