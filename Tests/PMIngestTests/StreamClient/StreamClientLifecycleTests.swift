import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite("StreamClient: lifecycle")
struct StreamClientLifecycleTests {
    @Test("100 connect/close cycles leave threads and file descriptors at baseline")
    func connectCloseCycles() async throws {
        // A private server: its port is ours alone, so sockets to it are exactly this test's.
        let fake = FakePolymarket()
        let session = try await fake.newSession(preset: "basic")
        defer { Task { await fake.stop() } }
        guard let port = URLComponents(string: session.root)?.port else {
            Issue.record("no port in \(session.root)")
            return
        }
        // Warm up once (lazy globals, lws/OpenSSL one-time state) before taking the baseline.
        do {
            let client = try StreamClient(config: WS.config(session, silenceMs: 0))
            try await client.connectAsync()
            client.close()
        }
        let baseThreads = threadCount()
        let baseFds = fdCount()
        let baseWS = threadCount(named: "pmingest-ws")
        // The fake's control connection (keep-alive, same port) is part of the baseline.
        let baseSockets = socketsTo(port: port)

        for cycle in 0..<100 {
            let client = try StreamClient(config: WS.config(session, silenceMs: 0))
            if cycle % 2 == 0 { try client.subscribe(tokenIds: [WS.aYes]) }
            try await client.connectAsync()
            if cycle % 10 == 0 { _ = try await pull(client, timeoutMs: 2_000) { !$0.isEmpty } }
            client.close()
            if cycle % 3 == 0 { client.close() }
            // Exact, not eventual: close() returns after the context (and its socket) is gone.
            let left = socketsTo(port: port).subtracting(baseSockets)
            if !left.isEmpty {
                Issue.record("cycle \(cycle): sockets to the fake still open after close(): \(left)")
                break
            }
        }
        #expect(socketsTo(port: port).subtracting(baseSockets).isEmpty)
        // Other suites (StreamClient ones included) run in parallel in this process, so the totals
        // get slack; a leak of one thread or socket per cycle would show as 100.
        #expect(await eventually(timeoutMs: 5_000) { threadCount() <= baseThreads + 12 })
        #expect(await eventually(timeoutMs: 5_000) { fdCount() <= baseFds + 16 })
        #expect(await eventually(timeoutMs: 5_000) { threadCount(named: "pmingest-ws") <= baseWS + 12 })
        print("StreamClient cycles: threads \(baseThreads) → \(threadCount()), fds \(baseFds) → \(fdCount())")
    }

    @Test("a client dropped without close() shuts itself down")
    func deinitCloses() async throws {
        let fake = FakePolymarket()
        let session = try await fake.newSession(preset: "basic")
        defer { Task { await fake.stop() } }
        guard let port = URLComponents(string: session.root)?.port else { return }
        let before = socketsTo(port: port)   // the fake's control connection
        var mine = Set<Int>()
        do {
            let client = try StreamClient(config: WS.config(session, silenceMs: 0))
            try await client.connectAsync()
            mine = socketsTo(port: port).subtracting(before)
            #expect(mine.count == 1)
        }
        #expect(await eventually(timeoutMs: 3_000) { socketsTo(port: port).isDisjoint(with: mine) })
    }

    @Test("close() during reconnect backoff and before connect are clean")
    func closeInOddStates() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        // Never connected.
        let idle = try StreamClient(config: WS.config(session))
        idle.close()
        #expect(throws: PMError.self) { _ = try idle.next(timeoutMs: 0) }
        // Closed while waiting to reconnect (long backoff).
        try await session.setWSScript(#"{"scripts":[{"drop_after_ms":100},{}]}"#)
        let client = try StreamClient(config: WS.config(session, silenceMs: 0) {
            $0.reconnectBaseMs = 30_000
            $0.reconnectMaxMs = 30_000
        })
        try await client.connectAsync()
        #expect(await eventually { !client.isConnected })
        let start = Date()
        client.close()
        #expect(Date().timeIntervalSince(start) < 2)
    }
}
