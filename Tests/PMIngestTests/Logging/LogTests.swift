import Testing
@_spi(PMIngestTools) @testable import PMIngest

final class CapturingSink: LogSink, @unchecked Sendable {
    private let lock = Lock()
    private var records: [LogRecord] = []
    func log(_ record: LogRecord) { lock.withLock { records.append(record) } }
    var all: [LogRecord] { lock.withLock { records } }
}

/// PMLog is process-wide: one suite owns it, serialized, and turns it off afterwards.
@Suite(.serialized) struct LogTests {
    @Test func levelsAndSwitching() throws {
        let sink = CapturingSink()
        try PMLog.setSink(sink, minimumLevel: .warning)
        defer { try? PMLog.setSink(nil) }
        PMLog.log(.debug, "test", "hidden")
        PMLog.log(.warning, "test", "shown")
        var built = false
        PMLog.log(.trace, "test", { built = true; return "never built" }())
        #expect(!built)
        #expect(sink.all.filter { $0.subsystem == "test" } == [LogRecord(level: .warning, subsystem: "test", message: "shown")])
        try PMLog.setSink(nil)
        PMLog.log(.error, "test", "after off")
        #expect(sink.all.filter { $0.subsystem == "test" }.count == 1)
        #expect(PMLog.minimumLevel == nil)
    }

    @Test func retriesAreLoggedAsWarnings() async throws {
        let sink = CapturingSink()
        try PMLog.setSink(sink, minimumLevel: .warning)
        defer { try? PMLog.setSink(nil) }
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/clob/book", times: 1, status: 503)])
        let transport = try CurlTransport(config: HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 5_000))
        defer { transport.shutdown() }
        let response = try await transport.send(HTTPRequest(url: session.clobURL + "/book?token_id=1"))
        #expect(response.status == 404)   // unknown token: the retry got through to a real answer
        let mine = sink.all.filter { $0.subsystem == "http" && $0.message.contains("/s/\(session.id)/") }
        #expect(mine.count == 1 && mine[0].level == .warning && mine[0].message.contains("HTTP 503"), "\(mine)")
    }
}

import Logging
import PMIngestSwiftLog

/// A swift-log handler that keeps what it receives.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = Lock()
    private var lines: [(Logger.Level, String, String?)] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lock.withLock { lines.append((event.level, event.message.description, event.metadata?["subsystem"]?.description)) }
    }

    var captured: [(Logger.Level, String, String?)] { lock.withLock { lines } }
}

extension LogTests {
    @Test func swiftLogReceivesRecordsWithTheSubsystem() throws {
        let handler = CapturingLogHandler()
        try PMLog.bootstrap(logger: Logger(label: "pmingest") { _ in handler }, minimumLevel: .info)
        defer { try? PMLog.setSink(nil) }
        PMLog.log(.warning, "test", "reconnected")
        PMLog.log(.debug, "test", "below the minimum")
        let mine = handler.captured.filter { $0.2 == "test" }
        #expect(mine.count == 1 && mine[0].0 == .warning && mine[0].1 == "reconnected")
    }
}
