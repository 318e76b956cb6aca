import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// Shared pieces of the StreamClient suites: the `basic` preset's tokens, a client with short
/// timings, and polling helpers that never block the cooperative pool.
enum WS {
    /// Market A (Yes, No) and C (Yes) of the fake's `basic` preset: all three have books.
    static let aYes = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
    static let aNo = "112278289787275788450760739773662884649160898737205504916059379809203140215082"
    static let cYes = "106332685723523029938638979205475695299425361528297838403638781186477132000926"
    static let conditionA = "0x7b2a8faa00b2751622e6f43ddb32fc4112498d94cc835d73b2cf44946a56845c"

    /// The short timings of the brief: ping 200 ms, PONG timeout 600 ms, silence 800 ms, backoff 50 ms.
    static func config(_ session: FakeSession, silenceMs: Int = 800, _ tweak: (inout StreamClientConfig) -> Void = { _ in })
        -> StreamClientConfig {
        var config = StreamClientConfig(url: session.wsURL)
        config.pingIntervalMs = 200
        config.pongTimeoutMs = 600
        config.assetSilenceTimeoutMs = silenceMs
        config.reconnectBaseMs = 50
        config.reconnectMaxMs = 400
        config.connectTimeoutMs = 5_000
        tweak(&config)
        return config
    }

    static func subscribeMessage(_ ids: [String]) -> String {
        #"{"assets_ids":["# + ids.map { "\"\($0)\"" }.joined(separator: ",")
            + #"],"type":"market","initial_dump":true,"custom_feature_enabled":true}"#
    }

    static func operationMessage(_ operation: String, _ ids: [String]) -> String {
        #"{"assets_ids":["# + ids.map { "\"\($0)\"" }.joined(separator: ",")
            + #"],"operation":"\#(operation)","custom_feature_enabled":true}"#
    }

    /// A `last_trade_price` frame spec for the fake (README §10.2).
    static func tradeFrame(_ asset: String, price: String = "0.52", ts: String = "1767225600789") -> String {
        #"{"json":{"event_type":"last_trade_price","market":"\#(conditionA)","asset_id":"\#(asset)","price":"\#(price)","size":"84.17","side":"BUY","fee_rate_bps":"0","timestamp":"\#(ts)"}}"#
    }
}

/// Pulls events without blocking a thread (next(timeoutMs: 0) + short sleeps) until `done` says
/// so or `timeoutMs` passes; returns everything pulled.
func pull(_ client: StreamClient, timeoutMs: Int = 10_000,
          until done: ([StreamEvent]) -> Bool) async throws -> [StreamEvent] {
    var events: [StreamEvent] = []
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while Date() < deadline {
        if let event = try client.next(timeoutMs: 0) {
            events.append(event)
            if done(events) { return events }
        } else {
            if done(events) { return events }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }
    return events
}

/// Polls `condition` every 20 ms until it holds or `timeoutMs` passes; returns whether it held.
func eventually(timeoutMs: Int = 10_000, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 20_000_000)
    }
    return try await condition()
}

extension StreamEvent {
    var isReconnected: Bool { if case .reconnected = self { return true } else { return false } }
    var bookToken: String? { if case .book(let book) = self { return book.tokenId } else { return nil } }
    var tradeToken: String? { if case .lastTradePrice(let trade) = self { return trade.tokenId } else { return nil } }
    var reconnectInfo: ReconnectInfo? { if case .reconnected(let info) = self { return info } else { return nil } }
}

/// Compact JSON text of a script or frame list for the fake's control API.
func jsonText(_ object: Any) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// A frame spec (README §10.2) sending `object` as JSON.
func jsonFrame(_ object: Any) -> [String: Any] { ["json": object] }

/// A `last_trade_price` event object for `asset`.
func trade(_ asset: String, price: String = "0.52", ts: Int = 1_767_225_600_789) -> [String: Any] {
    ["event_type": "last_trade_price", "market": WS.conditionA, "asset_id": asset, "price": price, "size": "84.17",
     "side": "BUY", "fee_rate_bps": "0", "timestamp": String(ts)]
}

/// The text of `Tests/fixtures/ws/<name>.json`.
func wsFixture(_ name: String) throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/ws/\(name).json")
    return String(decoding: try Data(contentsOf: url), as: UTF8.self)
}

/// Runs a blocking call on a fresh thread (never on the cooperative pool) and awaits its result.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

/// Threads of this process named `name` (/proc/self/task/*/comm).
func threadCount(named name: String? = nil) -> Int {
    guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return -1 }
    guard let name else { return tasks.count }
    return tasks.filter { task in
        let comm = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
        return comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
    }.count
}

/// Open file descriptors of this process.
func fdCount() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}

/// The local ports of this process's TCP sockets whose remote port is `port` (fd inodes matched
/// against /proc/net/tcp{,6}): one per open connection to the fake server.
func socketsTo(port: Int) -> Set<Int> {
    var inodes = Set<String>()
    for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
        var target = [CChar](repeating: 0, count: 256)
        let n = readlink("/proc/self/fd/\(fd)", &target, target.count - 1)
        guard n > 0 else { continue }
        let text = String(decoding: target.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix("socket:[") else { continue }
        inodes.insert(String(text.dropFirst(8).dropLast()))
    }
    let portHex = String(format: ":%04X", port)
    var local = Set<Int>()
    for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        for line in readProcFile(table).split(separator: "\n").dropFirst() {
            let cols = line.split(separator: " ")
            guard cols.count > 9, cols[2].hasSuffix(portHex), inodes.contains(String(cols[9])),
                  let colon = cols[1].lastIndex(of: ":"), let localPort = Int(cols[1][cols[1].index(after: colon)...], radix: 16)
            else { continue }
            local.insert(localPort)
        }
    }
    return local
}

/// A /proc file read with plain read(2) until EOF (its size reads as 0).
func readProcFile(_ path: String) -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}
