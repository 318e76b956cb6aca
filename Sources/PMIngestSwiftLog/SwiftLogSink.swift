// pmingest's log for Swift callers, in swift-log's idiom:
//
//     import Logging
//     import PMIngestSwiftLog
//     try PMLog.bootstrap(logger: Logger(label: "pmingest"), minimumLevel: .warning)
//
// A separate module so the core (and the C library built from it) does not depend on swift-log.
import Logging
@_exported import PMIngest

/// A `LogSink` that forwards records to a swift-log `Logger`, with the subsystem as metadata.
public struct SwiftLogSink: LogSink {
    public let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func log(_ record: LogRecord) {
        logger.log(level: Self.level(record.level), "\(record.message)", metadata: ["subsystem": "\(record.subsystem)"])
    }

    static func level(_ level: LogLevel) -> Logger.Level {
        switch level {
        case .trace: return .trace
        case .debug: return .debug
        case .info: return .info
        case .warning: return .warning
        case .error: return .error
        }
    }
}

extension PMLog {
    /// Routes the library's log into `logger` for records at `minimumLevel` and above.
    /// - Throws: `.misuse` from inside a log handler that is receiving a pmingest record (see
    ///   `PMLog.setSink`; `PMLog.setMinimumLevel` works there).
    public static func bootstrap(logger: Logger, minimumLevel: LogLevel = .warning) throws(PMError) {
        try setSink(SwiftLogSink(logger: logger), minimumLevel: minimumLevel)
    }
}
