/// pmingest's own log: what the library does on its threads that a host wants to know (retries,
/// reconnects, skipped frames, dropped events, libwebsockets' messages). Silent until a host
/// installs a sink; each surface routes it into its own idiom — a C callback, Python `logging`,
/// swift-log (`PMIngestSwiftLog`) — and nothing is ever printed to stderr by the library itself.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace = 0
    case debug = 1
    case info = 2
    case warning = 3
    case error = 4

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One log line: its level, the part of the library it comes from ("http", "stream", "lws",
/// "storage"), and the message.
public struct LogRecord: Sendable, Equatable {
    public let level: LogLevel
    public let subsystem: String
    public let message: String

    public init(level: LogLevel, subsystem: String, message: String) {
        self.level = level
        self.subsystem = subsystem
        self.message = message
    }
}

/// Where log records go. Called on whichever library thread logs (HTTP, stream service, caller),
/// one record at a time: calls are serialized, never concurrent.
public protocol LogSink: Sendable {
    func log(_ record: LogRecord)
}

/// The process-wide log switch.
public enum PMLog {
    private final class State: @unchecked Sendable {
        let lock = Lock()
        var sink: (any LogSink)?
        var minimum: LogLevel = .warning
        var enabled = false   // read without the lock on the hot path: a stale read only delays a change
    }

    private static let state = State()

    /// Installs `sink` for records at `minimumLevel` and above (nil: logging off). Returns after
    /// any record being delivered to the previous sink has been delivered.
    public static func setSink(_ sink: (any LogSink)?, minimumLevel: LogLevel = .warning) {
        state.lock.withLock {
            state.sink = sink
            state.minimum = minimumLevel
            state.enabled = sink != nil
        }
    }

    /// The current minimum level, or nil when logging is off.
    public static var minimumLevel: LogLevel? {
        state.lock.withLock { state.sink == nil ? nil : state.minimum }
    }

    /// True when a record at `level` would be delivered (callers skip building costly messages).
    public static func isEnabled(_ level: LogLevel) -> Bool {
        guard state.enabled else { return false }
        return state.lock.withLock { state.sink != nil && level >= state.minimum }
    }

    /// Logs `message()` (built only when the level is enabled).
    public static func log(_ level: LogLevel, _ subsystem: String, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        let record = LogRecord(level: level, subsystem: subsystem, message: message())
        state.lock.withLock {
            guard let sink = state.sink, level >= state.minimum else { return }
            sink.log(record)   // under the lock: serialized, and setSink waits for it
        }
    }
}
