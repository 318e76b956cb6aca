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
///
/// From inside `log(_:)`: `PMLog.setSink` throws `.misuse` (it would wait for this very call);
/// `PMLog.setMinimumLevel`, `minimumLevel` and `isEnabled` work; records logged from inside (a
/// library call made by the sink) are dropped, since records are delivered one at a time.
public protocol LogSink: Sendable {
    func log(_ record: LogRecord)
}

/// The process-wide log switch.
public enum PMLog {
    private final class State: @unchecked Sendable {
        /// Held while a record is delivered (serializes deliveries; `setSink` waits on it).
        let delivery = Lock()
        /// Guards the fields below; never held while calling out.
        let config = Lock()
        var sink: (any LogSink)?
        var minimum: LogLevel = .warning
        var enabled = false   // read without the lock on the hot path: a stale read only delays a change
    }

    private static let state = State()
    /// Set on a thread while it delivers a record to the sink.
    private static let delivering = ThreadFlag()

    /// Installs `sink` for records at `minimumLevel` and above (nil: logging off). Returns after
    /// any record being delivered to the previous sink has been delivered, so the previous sink is
    /// never called again afterwards; it is released on this thread, outside every lock.
    /// - Throws: `.misuse` from inside a sink's `log(_:)` (waiting for itself would deadlock; use
    ///   `setMinimumLevel` there).
    public static func setSink(_ sink: (any LogSink)?, minimumLevel: LogLevel = .warning) throws(PMError) {
        if delivering.isSet {
            throw PMError(.misuse, "the log sink cannot be replaced from inside a log record (it would wait for itself); "
                          + "change the level instead, or replace it from outside the sink")
        }
        let previous: (any LogSink)? = state.delivery.withLock {
            state.config.withLock {
                defer {
                    state.sink = sink
                    state.minimum = minimumLevel
                    state.enabled = sink != nil
                }
                return state.sink
            }
        }
        _ = previous   // the last reference goes here, after the locks are released
    }

    /// Changes the minimum level of the installed sink without replacing it. Does not wait for a
    /// record in flight (which may be below the new level). Allowed from inside a sink.
    public static func setMinimumLevel(_ level: LogLevel) {
        state.config.withLock { state.minimum = level }
    }

    /// The current minimum level, or nil when logging is off.
    public static var minimumLevel: LogLevel? {
        state.config.withLock { state.sink == nil ? nil : state.minimum }
    }

    /// True when a record at `level` would be delivered (callers skip building costly messages);
    /// false from inside a sink, where records are dropped.
    public static func isEnabled(_ level: LogLevel) -> Bool {
        guard state.enabled, !delivering.isSet else { return false }
        return state.config.withLock { state.sink != nil && level >= state.minimum }
    }

    /// Logs `message()` (built only when the level is enabled).
    public static func log(_ level: LogLevel, _ subsystem: String, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        let record = LogRecord(level: level, subsystem: subsystem, message: message())
        state.delivery.withLock {
            // Read under the delivery lock: a sink replaced meanwhile is never called.
            let current: (any LogSink)? = state.config.withLock { level >= state.minimum ? state.sink : nil }
            guard let current else { return }
            delivering.set(true)
            defer { delivering.set(false) }
            current.log(record)
        }
    }
}
