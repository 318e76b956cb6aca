import CSQLite

/// One libsqlite3 connection. Not thread-safe by itself: `Database` serializes every use.
final class SQLiteConnection {
    let handle: OpaquePointer
    private var statementCache: [String: SQLiteStatement] = [:]

    /// Opens `path` (":memory:" for a private in-memory database). Never truncates a file.
    init(path: String) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteConnection.error(code: rc, message: message, context: "cannot open database \"\(path)\"")
        }
        handle = db
    }

    deinit {
        statementCache.removeAll()  // finalize statements before closing
        sqlite3_close_v2(handle)
    }

    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(errorMessage)
            throw SQLiteConnection.error(code: rc, message: message, context: nil)
        }
    }

    /// A prepared statement, cached by its SQL text and reset before reuse.
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statementCache[sql] {
            cached.reset()
            return cached
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw lastError(code: rc) }
        let statement = SQLiteStatement(raw, connection: self)
        statementCache[sql] = statement
        return statement
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// True when SQLite fell back to opening the file read-only (no write permission on it).
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// Switches a file database to WAL journaling (a no-op when it already is). SQLite refuses the
    /// switch with SQLITE_BUSY, without waiting, while another connection uses the file: callers
    /// retry (see `Database`).
    func enableWAL() throws {
        let statement = try self.statement("PRAGMA journal_mode = WAL")
        defer { statement.reset() }
        let mode = try statement.step() ? statement.string(0) : nil
        guard mode?.lowercased() == "wal" else {
            throw PMError(.storage, "cannot switch the database to WAL journaling (journal mode stays \(mode ?? "unknown"))")
        }
    }

    /// Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back if it throws, so a failed batch
    /// leaves nothing behind. IMMEDIATE takes the write lock up front: a busy database fails
    /// here, before any work, instead of on the first write.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` inside one read transaction (BEGIN … COMMIT, no write lock): its reads see one
    /// snapshot, not commits of other connections made between them.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func lastError(code: Int32) -> PMError {
        SQLiteConnection.error(code: code, message: String(cString: sqlite3_errmsg(handle)), context: nil)
    }

    /// Maps SQLite result codes to pmingest error kinds (primary code = low byte).
    static func error(code: Int32, message: String, context: String?) -> PMError {
        let text = context.map { "\($0): \(message)" } ?? message
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return PMError(.busy, "database is locked by another connection (busy timeout expired): \(text)")
        case SQLITE_NOTADB, SQLITE_CORRUPT:
            return PMError(.corrupt, "file is not a database or is damaged: \(text)")
        case SQLITE_READONLY:
            return PMError(.cantOpen, "database is read-only (no write permission on the file or its directory): \(text)")
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH:
            return PMError(.cantOpen, text)
        case SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE:
            return PMError(.invalidArgument, text)
        default:
            return PMError(.storage, "SQLite error \(code): \(text)")
        }
    }
}

/// A prepared statement. Binding indexes are 1-based, column indexes 0-based (as in SQLite).
final class SQLiteStatement {
    private let raw: OpaquePointer
    private unowned let connection: SQLiteConnection

    init(_ raw: OpaquePointer, connection: SQLiteConnection) {
        self.raw = raw
        self.connection = connection
    }

    deinit { sqlite3_finalize(raw) }

    /// Ready for the next run. Every statement binds all of its parameters on each use, so the
    /// bindings need no clearing.
    func reset() {
        sqlite3_reset(raw)
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(raw, index); return }
        // SQLITE_TRANSIENT: SQLite copies the bytes, so the Swift string may go away.
        sqlite3_bind_text(raw, index, value, -1, pm_sqlite_transient())
    }

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { sqlite3_bind_null(raw, index); return }
        sqlite3_bind_int64(raw, index, value)
    }

    func bind(_ index: Int32, _ value: Bool) { sqlite3_bind_int(raw, index, value ? 1 : 0) }

    /// Steps once: true while a row is available, false when done.
    @discardableResult
    func step() throws -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.lastError(code: rc)
            sqlite3_reset(raw)
            throw error
        }
    }

    func string(_ column: Int32) -> String? {
        guard sqlite3_column_type(raw, column) != SQLITE_NULL, let text = sqlite3_column_text(raw, column) else { return nil }
        return String(cString: text)
    }

    func int64(_ column: Int32) -> Int64? {
        sqlite3_column_type(raw, column) == SQLITE_NULL ? nil : sqlite3_column_int64(raw, column)
    }

    func int64(_ column: Int32, default value: Int64) -> Int64 { int64(column) ?? value }
}
