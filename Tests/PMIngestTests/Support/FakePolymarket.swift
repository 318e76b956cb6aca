import Foundation
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// The fake Polymarket server (Tests/fakepolymarket, see its README) for Swift tests: one server
/// per test process, started on first use; one isolated session per test.
///
///     let session = try await FakePolymarket.shared.newSession()
///     try await session.seed("basic")
///     try await session.addFaults([FakeFault(path: "/clob/book", times: 2, status: 503)])
///     ... GET session.clobURL + "/book?token_id=..." ...
///     let log = try await session.requests()
///
/// Control calls go through the project's own `CurlTransport` (FoundationNetworking may be absent).
/// The server is started with `--strict-ws` (every WebSocket test runs on the strict wire: the real
/// channel's subscription rules, README §10.6) and `--exit-with-parent`, and SIGKILLed at exit: `Process.terminate()`
/// can hang inside `swift test` (it waits on signals the child may inherit blocked).
actor FakePolymarket {
    static let shared = FakePolymarket()

    private var root: String?
    private var process: Process?
    private var transport: CurlTransport?

    /// `http://127.0.0.1:PORT`
    func rootURL() throws -> String {
        if let root { return root }
        let started = try Self.startServer()
        process = started.process
        root = started.root
        return started.root
    }

    /// A fresh session, optionally seeded (`"basic"` / `"empty"`).
    func newSession(preset: String? = nil) async throws -> FakeSession {
        let root = try rootURL()
        let control = try controlTransport()
        var body: [String: Any] = [:]
        if let preset { body["preset"] = preset }
        let answer = try await FakeSession.call(control, .post, root + "/_control/sessions", json: body)
        guard let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any],
              let id = object["id"] as? String else {
            throw FakeServerError("unexpected session answer: \(String(decoding: answer, as: UTF8.self))")
        }
        return FakeSession(root: root, id: id, control: control)
    }

    private func controlTransport() throws -> CurlTransport {
        if let transport { return transport }
        let made = try CurlTransport(config: HTTPConfig(connectTimeoutMs: 2_000, totalTimeoutMs: 10_000,
                                                        retry: RetryPolicy(maxAttempts: 1), rateLimits: [:]))
        transport = made
        return made
    }

    /// Stops this server (for tests that start a private one with `FakePolymarket()`).
    func stop() {
        transport?.shutdown()
        transport = nil
        if let process {
            fakeServerPIDs.kill(process.processIdentifier)
            // SIGKILL cannot be blocked, so this returns as soon as the child is reaped. It is also
            // the only call that drops the run-loop source through which Foundation's Process
            // retains itself: without it every stopped server's Process leaked (LeakSanitizer).
            process.waitUntilExit()
        }
        process = nil
        root = nil
    }

    private static func startServer() throws -> (process: Process, root: String) {
        let tests = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = tests.appendingPathComponent("fakepolymarket/server.py").path
        // The project venv's python has `websockets` (the WebSocket channel needs it); REST alone
        // runs on any python3.
        let venvPython = tests.deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path
        let process = Process()
        if FileManager.default.isExecutableFile(atPath: venvPython) {
            process.executableURL = URL(fileURLWithPath: venvPython)
            process.arguments = [script, "--port", "0", "--exit-with-parent", "--strict-ws"]
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script, "--port", "0", "--exit-with-parent", "--strict-ws"]
        }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        fakeServerPIDs.add(process.processIdentifier)

        let line = try readLine(stdout.fileHandleForReading.fileDescriptor, timeoutMs: 15_000)
        let prefix = "listening "
        guard line.hasPrefix(prefix), line.dropFirst(prefix.count).hasPrefix("http://") else {
            fakeServerPIDs.kill(process.processIdentifier)
            process.waitUntilExit()   // see stop()
            throw FakeServerError("fake server did not start: \(line)")
        }
        return (process, String(line.dropFirst(prefix.count)))
    }

    private static func readLine(_ fd: Int32, timeoutMs: Int) throws -> String {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while !bytes.contains(10) {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard remaining > 0, poll(&pfd, 1, remaining) > 0 else {
                throw FakeServerError("fake server: no 'listening' line within \(timeoutMs) ms")
            }
            var chunk = [UInt8](repeating: 0, count: 256)
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw FakeServerError("fake server exited before listening") }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
    }
}

/// Servers still running, SIGKILLed at exit (an atexit callback cannot capture, so a global).
private let fakeServerPIDs = ServerPIDs()

private final class ServerPIDs: @unchecked Sendable {
    private let lock = Lock()
    private var pids: Set<pid_t> = []
    private var registered = false

    func add(_ pid: pid_t) {
        let first: Bool = lock.withLock {
            pids.insert(pid)
            defer { registered = true }
            return !registered
        }
        if first { atexit { fakeServerPIDs.killAll() } }
    }

    func kill(_ pid: pid_t) {
        lock.withLock { _ = pids.remove(pid) }
        Glibc.kill(pid, SIGKILL)
    }

    func killAll() {
        for pid in lock.withLock({ pids }) { Glibc.kill(pid, SIGKILL) }
    }
}

struct FakeServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One test's view of the fake server.
struct FakeSession: Sendable {
    let root: String
    let id: String
    let control: CurlTransport

    var gammaURL: String { "\(root)/s/\(id)/gamma" }
    var clobURL: String { "\(root)/s/\(id)/clob" }
    var dataURL: String { "\(root)/s/\(id)/data" }
    /// The session's market channel, `ws://127.0.0.1:PORT/s/<id>/ws/market` (same port as REST).
    var wsURL: String { "ws://" + root.dropFirst("http://".count) + "/s/\(id)/ws/market" }
    private var controlURL: String { "\(root)/_control/sessions/\(id)" }

    /// Replaces the data of the session (`POST .../seed`); answers the seed summary.
    @discardableResult
    func seed(_ preset: String = "basic", now: Int? = nil) async throws -> Data {
        var body: [String: Any] = ["preset": preset]
        if let now { body["now"] = now }
        return try await Self.call(control, .post, controlURL + "/seed", json: body)
    }

    /// `POST .../state` with a JSON object text (keys: markets, books, trades, market_by_token, ...).
    func setState(_ json: String) async throws {
        _ = try await Self.call(control, .post, controlURL + "/state", raw: Array(json.utf8))
    }

    func addFaults(_ rules: [FakeFault]) async throws {
        _ = try await Self.call(control, .post, controlURL + "/faults", json: ["rules": rules.map(\.json)])
    }

    /// The API requests this session received, in order (optionally only `path`, or a prefix ending in `*`).
    func requests(path: String? = nil) async throws -> [RecordedRequest] {
        var url = controlURL + "/requests"
        if let path { url += "?path=" + path.replacingOccurrences(of: "*", with: "%2A") }
        let data = try await Self.call(control, .get, url)
        guard let rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw FakeServerError("unexpected request log: \(String(decoding: data, as: UTF8.self))")
        }
        return rows.map(RecordedRequest.init)
    }

    /// `POST .../ws`: the WebSocket script (README §10), as JSON text: one script object for every
    /// connection, or `{"scripts":[first, second, ...]}` (connection k uses the k-th, the last repeats).
    func setWSScript(_ json: String) async throws {
        _ = try await Self.call(control, .post, controlURL + "/ws", raw: Array(json.utf8))
    }

    /// `POST .../ws/send`: pushes frames (a JSON array text of frame specs) on every open connection.
    @discardableResult
    func wsSend(_ framesJSON: String) async throws -> Int {
        let data = try await Self.call(control, .post, controlURL + "/ws/send", raw: Array("{\"frames\":\(framesJSON)}".utf8))
        return ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["sent_to"] as? NSNumber)?.intValue ?? 0
    }

    /// `POST .../ws/drop`: ends every open connection (abruptly, or with a close frame when `closeCode` is set).
    @discardableResult
    func wsDrop(closeCode: Int? = nil, reset: Bool = false) async throws -> Int {
        var body: [String: Any] = ["mode": reset ? "reset" : "fin"]
        if let closeCode { body["close_code"] = closeCode }
        let data = try await Self.call(control, .post, controlURL + "/ws/drop", json: body)
        return ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["dropped"] as? NSNumber)?.intValue ?? 0
    }

    /// The WebSocket entries of the request log (connects, client messages, closes), in order.
    func wsLog() async throws -> [RecordedWS] {
        let data = try await Self.call(control, .get, controlURL + "/requests?path=/ws/market")
        guard let rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw FakeServerError("unexpected request log: \(String(decoding: data, as: UTF8.self))")
        }
        return rows.map(RecordedWS.init)
    }

    static func call(_ transport: CurlTransport, _ method: HTTPMethod, _ url: String, json: Any) async throws -> Data {
        let body = try JSONSerialization.data(withJSONObject: json)
        return try await call(transport, method, url, raw: Array(body))
    }

    static func call(_ transport: CurlTransport, _ method: HTTPMethod, _ url: String, raw: [UInt8]? = nil) async throws -> Data {
        let response = try await transport.send(HTTPRequest(method: method, url: url, body: raw))
        guard response.status == 200 else {
            throw FakeServerError("control \(method.rawValue) \(url) → \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return Data(response.body)
    }
}

/// A fault rule (README §5). Only the fields set are sent.
struct FakeFault: Sendable {
    enum Close: Sendable { case close, reset }

    var method: String? = nil
    var path: String = "*"
    /// Extra match condition: each named query parameter must have this value.
    var query: [String: String] = [:]
    var times: Int? = nil
    var status: Int? = nil
    var headers: [String: String] = [:]
    var body: String? = nil
    var contentType: String? = nil
    var delayMs: Int? = nil
    var hang = false
    var truncateAt: Int? = nil
    /// The first N body bytes, then a TCP RST (the reset mid-body).
    var resetAt: Int? = nil
    /// The head at once, then the body one byte every N ms (the slowloris body).
    var slowBodyMs: Int? = nil
    var chunked = false
    var oversizeBytes: Int? = nil
    var closeConnection: Close? = nil
    var preset: String? = nil
    var retryAfterDateIn: Double? = nil
    var gzip: Bool? = nil
    /// The body alone, no status line or headers, then the close (an HTTP/0.9-style reply).
    var http09 = false

    var json: [String: Any] {
        var rule: [String: Any] = ["path": path]
        if let method { rule["method"] = method }
        if !query.isEmpty { rule["query"] = query }
        if let times { rule["times"] = times }
        if let status { rule["status"] = status }
        if !headers.isEmpty { rule["headers"] = headers }
        if let body { rule["body"] = body }
        if let contentType { rule["content_type"] = contentType }
        if let delayMs { rule["delay_ms"] = delayMs }
        if hang { rule["hang"] = true }
        if let truncateAt { rule["truncate_at"] = truncateAt }
        if let resetAt { rule["reset_at"] = resetAt }
        if let slowBodyMs { rule["slow_body_ms"] = slowBodyMs }
        if chunked { rule["chunked"] = true }
        if let oversizeBytes { rule["oversize_bytes"] = oversizeBytes }
        switch closeConnection {
        case .close: rule["close_connection"] = true
        case .reset: rule["close_connection"] = "reset"
        case nil: break
        }
        if let preset { rule["preset"] = preset }
        if let retryAfterDateIn { rule["retry_after_date_in"] = retryAfterDateIn }
        if let gzip { rule["gzip"] = gzip }
        if http09 { rule["http09"] = true }
        return rule
    }
}

/// One entry of the server's request log (README §6).
struct RecordedRequest: Sendable {
    let method: String
    let path: String
    let rawQuery: String
    /// Lower-cased names.
    let headers: [String: String]
    let body: String
    /// Server wall clock at arrival, seconds.
    let time: Double
    /// The server's TCP connection id: equal ids = keep-alive reuse.
    let connection: Int
    let fault: Int?

    init(_ row: [String: Any]) {
        method = row["method"] as? String ?? ""
        path = row["path"] as? String ?? ""
        rawQuery = row["raw_query"] as? String ?? ""
        headers = row["headers"] as? [String: String] ?? [:]
        body = row["body"] as? String ?? ""
        time = (row["t"] as? NSNumber)?.doubleValue ?? 0
        connection = (row["conn"] as? NSNumber)?.intValue ?? -1
        fault = (row["fault"] as? NSNumber)?.intValue
    }
}

/// One WebSocket entry of the request log (README §10.4).
struct RecordedWS: Sendable {
    /// "connect", "text", "binary", "close" or "disconnect".
    let kind: String
    /// The client's message ("PING", a subscribe payload), the close code, or "".
    let body: String
    /// The server's TCP connection id: one per WebSocket connection.
    let connection: Int
    /// On "connect": which script the connection got (0-based count since the script was posted).
    let index: Int?
    /// On "connect": how many other connections of the session were still open at that moment.
    let openBefore: Int?
    let time: Double

    init(_ row: [String: Any]) {
        kind = row["ws"] as? String ?? ""
        body = row["body"] as? String ?? ""
        connection = (row["conn"] as? NSNumber)?.intValue ?? -1
        index = (row["index"] as? NSNumber)?.intValue
        openBefore = (row["open_before"] as? NSNumber)?.intValue
        time = (row["t"] as? NSNumber)?.doubleValue ?? 0
    }
}
