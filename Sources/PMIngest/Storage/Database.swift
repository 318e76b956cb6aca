import CSQLite

/// A SQLite database holding what pmingest ingests: trades, token metadata, trade watermarks.
///
/// Safe to share between threads and tasks: every call is serialized on one connection behind a
/// lock. File databases use WAL and synchronous=NORMAL (durable across application crashes; a
/// power loss may drop the last commits but never corrupts). Open with ":memory:" for tests.
public final class Database: @unchecked Sendable {
    public let config: DatabaseConfig
    let clock: any PMClock
    private let lock = Lock()
    private var connection: SQLiteConnection?

    /// Opens (creating if needed) and migrates the database.
    /// - Throws: `PMError` `.cantOpen` (path or permissions), `.corrupt` (not a database, another
    ///   application's, or a newer schema), `.busy` (locked past the busy timeout), `.storage`.
    public init(_ config: DatabaseConfig, clock: any PMClock = SystemClock()) throws {
        guard !config.path.isEmpty else { throw PMError(.invalidArgument, "database path is empty") }
        guard !config.path.utf8.contains(0) else { throw PMError(.invalidArgument, "database path contains a NUL byte") }
        guard config.busyTimeoutMilliseconds >= 0 else {
            throw PMError(.invalidArgument, "busy timeout must be >= 0 ms, got \(config.busyTimeoutMilliseconds)")
        }
        self.config = config
        self.clock = clock
        let connection = try SQLiteConnection(path: config.path)
        sqlite3_busy_timeout(connection.handle, config.busyTimeoutMilliseconds)
        do {
            // The first read fails with NOTADB on a non-database file; the checks refuse foreign and
            // newer files. Both before anything, even the journal mode, is written.
            _ = try Migrations.check(connection)
            if !config.isInMemory {
                try connection.execute("PRAGMA journal_mode = WAL")
                try connection.execute("PRAGMA synchronous = NORMAL")
            }
            try connection.execute("PRAGMA foreign_keys = ON")
            try Migrations.migrate(connection)
        } catch let error as PMError {
            throw PMError(error.kind, "\(config.path): \(error.message)")
        }
        self.connection = connection
    }

    /// Closes the connection now; later calls fail with `.misuse`. Idempotent. (Deinit also closes.)
    public func close() {
        lock.withLock { connection = nil }
    }

    /// Runs `body` with exclusive use of the connection.
    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try lock.withLock {
            guard let connection else { throw PMError(.misuse, "database is closed") }
            return try body(connection)
        }
    }
}
