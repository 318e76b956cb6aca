import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// A SQLite database holding what pmingest ingests: trades, token metadata, trade watermarks.
///
/// Safe to share between threads and tasks: every call is serialized on one connection behind a
/// lock. File databases use WAL and synchronous=NORMAL (durable across application crashes; a
/// power loss may drop the last commits but never corrupts). Open with ":memory:" for tests.
/// Opening never writes to a file it refuses: only an empty file or pmingest's own is migrated.
public final class Database: @unchecked Sendable {
    public let config: DatabaseConfig
    let clock: any PMClock
    private let lock = Lock()
    private var connection: SQLiteConnection?

    /// Opens (creating if needed) and migrates the database. Several threads or processes may
    /// open the same (new) file at once: one of them creates the schema, the others wait for it
    /// (up to the busy timeout) and use it.
    /// - Throws: `PMError` `.cantOpen` (path or permissions; a read-only file or directory),
    ///   `.corrupt` (not a database, another application's, or a newer schema), `.busy` (locked
    ///   past the busy timeout), `.storage`. A refused file is left exactly as it was.
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
            // pmingest writes to every database it opens (schema, WAL, trades): a file SQLite could
            // only open read-only is refused here, not on the first write.
            if connection.isReadOnly {
                throw PMError(.cantOpen, "database is read-only (no write permission on the file); pmingest needs to write to it")
            }
            try Self.prepare(connection, wal: !config.isInMemory, busyTimeoutMilliseconds: config.busyTimeoutMilliseconds)
            if !config.isInMemory { try connection.execute("PRAGMA synchronous = NORMAL") }
            try connection.execute("PRAGMA foreign_keys = ON")
        } catch let error as PMError {
            throw PMError(error.kind, "\(config.path): \(error.message)")
        }
        self.connection = connection
    }

    /// Checks the file, migrates it and switches it to WAL. The check reads only: a refused file
    /// (not a database, another application's, newer) is never written, not even its journal mode.
    /// Some lock waits end in SQLITE_BUSY at once instead of through the busy handler (a reader
    /// that wants to write while another connection writes; the switch to WAL while another
    /// connection reads): those are retried here until the busy timeout has passed.
    private static func prepare(_ connection: SQLiteConnection, wal: Bool, busyTimeoutMilliseconds: Int32) throws {
        let monotonic = MonotonicClock()
        let deadline = monotonic.nowMilliseconds() + Int64(busyTimeoutMilliseconds)
        var pauseMs: Int64 = 1
        while true {
            do {
                if try Migrations.inspect(connection) < Migrations.latestVersion { try Migrations.migrate(connection) }
                if wal { try connection.enableWAL() }
                return
            } catch let error as PMError where error.kind == .busy {
                let left = deadline - monotonic.nowMilliseconds()
                if left <= 0 { throw error }
                usleep(useconds_t(min(pauseMs, left) * 1000))
                pauseMs = min(pauseMs * 2, 50)
            }
        }
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
