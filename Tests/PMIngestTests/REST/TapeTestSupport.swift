@_spi(PMIngestTools) @testable import PMIngest

/// An in-process `/v2/trades`: rows newest first, served `limit` at a time with the row index as
/// the cursor; counts requests and can fail from the Nth one on (a kill in mid-walk).
final class TapeTransport: HTTPTransport, @unchecked Sendable {
    struct Row {
        var token = Sample.token
        var condition = Sample.condition
        var side = "BUY"
        var price = "0.55"
        var size = "10"
        var seconds: Int64
        var tx = "0xabc"
        var slug = "will-x-happen"
        var outcome = "Yes"

        var json: String {
            #"{"proxy_wallet":"0x1234","side":"\#(side)","token_id":"\#(token)","condition_id":"\#(condition)","#
                + #""size":\#(size),"price":\#(price),"timestamp":\#(seconds),"title":"Will X?","slug":"\#(slug)","#
                + #""event_slug":"\#(slug)","outcome":"\#(outcome)","outcome_index":999,"transaction_hash":"\#(tx)"}"#
        }
    }

    private let lock = Lock()
    private var rows: [Row]
    private var failFrom: Int?
    private(set) var requests: [String] = []
    /// Cursor behaviour under test: the cursor sent with every page (a server that loops), or none.
    var stuckCursor: String?
    var dropCursor = false

    init(rows: [Row]) { self.rows = rows.sorted { $0.seconds > $1.seconds } }

    func set(rows: [Row]) { lock.withLock { self.rows = rows.sorted { $0.seconds > $1.seconds } } }
    func fail(fromRequest n: Int?) { lock.withLock { failFrom = n } }
    var urls: [String] { lock.withLock { requests } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try lock.withLock {
            requests.append(request.url)
            if let failFrom, requests.count >= failFrom { throw PMError(.network, "killed (test)") }
            let query = Self.query(request.url)
            let limit = Int(query["limit"] ?? "") ?? 100
            let start = Int(query["cursor"] ?? "") ?? 0
            let wanted = query["condition"]
            let mine = rows.filter { wanted == nil || $0.condition == wanted || $0.condition.count == 64 }
            let page = Array(mine.dropFirst(start).prefix(limit))
            let more = start + page.count < mine.count
            let cursor = stuckCursor.map { "\"\($0)\"" } ?? (more && !dropCursor ? "\"\(start + page.count)\"" : "null")
            let body = #"{"data":[\#(page.map(\.json).joined(separator: ","))],"#
                + #""pagination":{"limit":\#(limit),"offset":0,"has_more":\#(more),"next_cursor":\#(cursor)}}"#
            return HTTPResponse(status: 200, body: Array(body.utf8))
        }
    }

    static func query(_ url: String) -> [String: String] {
        guard let q = url.split(separator: "?", maxSplits: 1).last, url.contains("?") else { return [:] }
        var out: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { out[parts[0]] = parts[1] }
        }
        return out
    }

    /// `n` trades one second apart, newest at `newest` seconds, two per second when `pairs`.
    static func rows(_ n: Int, newest: Int64 = 1_767_225_600, pairs: Bool = false) -> [Row] {
        (0..<n).map { i in
            Row(price: "0.\(10 + i % 80)", seconds: newest - Int64(pairs ? i / 2 : i), tx: "0x\(String(i, radix: 16))")
        }
    }
}

/// A clock that says what the test wants.
final class TestClock: PMClock, @unchecked Sendable {
    private let lock = Lock()
    private var now: Int64
    init(_ ms: Int64) { now = ms }
    func nowMilliseconds() -> Int64 { lock.withLock { now } }
    func set(_ ms: Int64) { lock.withLock { now = ms } }
}
