import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Cancellation ends a call at once wherever it is: in flight, backing off, waiting for a slot,
/// blocked in `Blocking.run`, or on `shutdown`.
@Suite struct HTTPCancellationTests {
    /// For calls to a hanging server: a total timeout no slowdown reaches (the default 5 s did,
    /// under ThreadSanitizer), so only the cancellation under test can end the call.
    /// No call deadline in this suite: it cancels calls in the middle of waits (30 s Retry-After,
    /// 60 s rate-limit slots, hung requests) that the default 20 s deadline would refuse to start;
    /// CallDeadlineTests covers the deadline itself.
    static let hangConfig = HTTPTest.config(totalTimeoutMs: 120_000, deadlineMs: 0)

    /// Polls the request log until `count` requests arrived (the call is then in flight server-side).
    func waitForRequests(_ session: FakeSession, _ count: Int) async throws {
        for _ in 0..<200 {
            if try await session.requests().count >= count { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the server never saw \(count) request(s)")
    }

    @Test func cancellingAnInFlightRequestEndsItAtOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", times: 1, hang: true)])
        let http = try HTTPTest.transport(Self.hangConfig)
        defer { http.shutdown() }
        let task = Task { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        try await waitForRequests(session, 1)
        let start = ContinuousClock.now
        task.cancel()
        let result = await HTTPTest.timed { try await task.value }
        #expect(result.error?.kind == .cancelled)
        #expect(HTTPTest.seconds(since: start) < 10)   // vs a 30-60 s wait; liveness, with room for a loaded 2-core CI
        // The transport is still healthy, and cancelled work was not retried.
        #expect(try await http.send(HTTPRequest(url: session.gammaURL + "/markets?limit=1")).status == 200)
        #expect(try await session.requests().count == 2)
    }

    @Test func cancellingDuringARetryAfterWaitEndsItAtOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/data/trades", status: 429, headers: ["Retry-After": "30"])])
        let http = try HTTPTest.transport(HTTPTest.config(deadlineMs: 0))
        defer { http.shutdown() }
        let task = Task { try await http.send(HTTPRequest(url: session.dataURL + "/trades")) }
        try await waitForRequests(session, 1)
        try await Task.sleep(for: .milliseconds(50))   // now in the 30 s wait
        let start = ContinuousClock.now
        task.cancel()
        let result = await HTTPTest.timed { try await task.value }
        #expect(result.error?.kind == .cancelled)
        #expect(HTTPTest.seconds(since: start) < 10)   // vs a 30-60 s wait; liveness, with room for a loaded 2-core CI
        #expect(try await session.requests().count == 1)
    }

    @Test func cancellingDuringARateLimitWaitEndsItAtOnce() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport(HTTPTest.config(rateLimits: ["gamma": RateLimit(1, perMilliseconds: 60_000)], deadlineMs: 0))
        defer { http.shutdown() }
        let request = HTTPRequest(url: session.gammaURL + "/markets?limit=1", endpoint: "gamma.markets")
        #expect(try await http.send(request).status == 200)
        let task = Task { try await http.send(request) }
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        task.cancel()
        #expect(await HTTPTest.timed { try await task.value }.error?.kind == .cancelled)
        #expect(HTTPTest.seconds(since: start) < 10)   // vs a 30-60 s wait; liveness, with room for a loaded 2-core CI
        #expect(try await session.requests().count == 1)
    }

    @Test func anAlreadyCancelledTaskSendsNothing() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport()
        defer { http.shutdown() }
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            return try await http.send(HTTPRequest(url: session.gammaURL + "/markets"))
        }
        task.cancel()
        #expect(await HTTPTest.timed { try await task.value }.error?.kind == .cancelled)
        #expect(try await session.requests().isEmpty)
    }

    @Test func tokenCancelledFromAnotherThreadUnblocksBlockingSend() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", hang: true)])
        let http = try HTTPTest.transport(Self.hangConfig)
        defer { http.shutdown() }
        let token = CancellationToken()
        let request = HTTPRequest(url: session.gammaURL + "/markets")
        // The blocking caller and the canceller are both plain threads, as in C or Python.
        async let outcome: (PMError?, Double) = onOwnThread {
            let start = ContinuousClock.now
            do {
                _ = try http.blockingSend(request, token: token)
                return (nil, HTTPTest.seconds(since: start))
            } catch {
                return (error as? PMError, HTTPTest.seconds(since: start))
            }
        }
        try await waitForRequests(session, 1)
        let cancelledAt: ContinuousClock.Instant = await onOwnThread {
            token.cancel()
            token.cancel()   // idempotent
            return ContinuousClock.now
        }
        let (error, _) = await outcome
        #expect(error?.kind == .cancelled)
        #expect(HTTPTest.seconds(since: cancelledAt) < 2)
    }

    @Test func blockingRunReturnsValuesAndErrors() async throws {
        let results: [String] = await onOwnThread {
            var out: [String] = []
            out.append((try? Blocking.run { 6 * 7 }).map(String.init) ?? "error")
            do { _ = try Blocking.run { () async throws -> Int in throw PMError(.parse, "boom") } }
            catch let error as PMError { out.append("\(error.kind) \(error.message)") } catch { out.append("other") }
            do { _ = try Blocking.run { () async throws -> Int in throw CancellationError() } }
            catch let error as PMError { out.append("\(error.kind)") } catch { out.append("other") }
            let token = CancellationToken()
            token.cancel()
            do { _ = try Blocking.run(token: token) { 1 } }
            catch let error as PMError { out.append("\(error.kind)") } catch { out.append("other") }
            return out
        }
        #expect(results == ["42", "parse boom", "cancelled", "cancelled"])
    }

    @Test func tokenHandlersRunOnceAndCanBeRemoved() {
        let token = CancellationToken()
        let counter = Counter()
        let kept = token.onCancel { counter.add(1) }
        let removed = token.onCancel { counter.add(100) }
        #expect(kept != nil && removed != nil)
        if let removed { token.removeHandler(removed) }
        #expect(!token.isCancelled)
        token.cancel()
        token.cancel()
        #expect(token.isCancelled)
        #expect(counter.value == 1)
        #expect(token.onCancel { counter.add(10) } == nil)   // already cancelled: runs at once
        #expect(counter.value == 11)
    }

    @Test func shutdownCancelsInFlightAndWaitingCalls() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", hang: true),
                                     FakeFault(path: "/data/trades", status: 503, headers: ["Retry-After": "30"])])
        let http = try HTTPTest.transport(Self.hangConfig)
        let hanging = Task { try await http.send(HTTPRequest(url: session.gammaURL + "/markets")) }
        let backingOff = Task { try await http.send(HTTPRequest(url: session.dataURL + "/trades")) }
        try await waitForRequests(session, 2)
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        http.shutdown()
        http.shutdown()   // idempotent
        for task in [hanging, backingOff] {
            let error = await HTTPTest.timed { try await task.value }.error
            #expect(error?.kind == .cancelled)
            #expect(error?.message.contains("shut down") == true)
        }
        #expect(HTTPTest.seconds(since: start) < 2)
        let after = await HTTPTest.timed { try await http.send(HTTPRequest(url: session.gammaURL + "/markets?limit=1")) }
        #expect(after.error?.kind == .cancelled)
        #expect(try await session.requests().count == 2)
    }
}

/// Runs `body` on a fresh OS thread (not the cooperative pool), as a C or Python caller would.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

final class Counter: @unchecked Sendable {
    private let lock = Lock()
    private var total = 0
    func add(_ n: Int) { lock.withLock { total += n } }
    var value: Int { lock.withLock { total } }
}
