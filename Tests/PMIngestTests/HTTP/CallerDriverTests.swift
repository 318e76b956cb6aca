import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A blocking caller's thread drives its own transfers (`CurlCallerDriver`): the same results as
/// the engine path, its handles reused across calls, and cancellation and shutdown still end a
/// call in flight at once.
@Suite struct CallerDriverTests {
    @Test func aBlockingCallerDrivesItsOwnTransfersAndReusesItsHandles() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let http = try HTTPTest.transport(HTTPTest.config(deadlineMs: 0))
        defer { http.shutdown() }
        let other = try HTTPTest.transport(HTTPTest.config(deadlineMs: 0))
        defer { other.shutdown() }
        let statuses: [Int] = await onOwnThread {
            var out: [Int] = []
            for transport in [http, http, other, http] {   // a second engine replaces the thread's driver
                let request = HTTPRequest(url: session.gammaURL + "/markets?limit=1")
                out.append((try? transport.blockingSend(request).status) ?? -1)
            }
            // a POST on the same reused easy handle: its options were reset after the GETs
            let post = HTTPRequest(method: .post, url: session.clobURL + "/books", body: Array("[]".utf8))
            out.append((try? http.blockingSend(post).status) ?? -1)
            // outside Blocking.run nothing is driven by the caller
            out.append(CurlCallerDriver.forCurrentThread(engineSerial: 1) == nil ? 0 : -1)
            return out
        }
        #expect(statuses.prefix(4).allSatisfy { $0 == 200 })
        #expect(statuses[4] != -1)
        #expect(statuses[5] == 0)
        #expect(try await session.requests().count == 5)
    }

    @Test func shutdownEndsACallTheCallerIsDriving() async throws {
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        try await session.addFaults([FakeFault(path: "/gamma/markets", hang: true)])
        let http = try HTTPTest.transport(HTTPCancellationTests.hangConfig)
        let request = HTTPRequest(url: session.gammaURL + "/markets")
        async let outcome: PMError? = onOwnThread {
            do { _ = try http.blockingSend(request); return nil } catch { return error as? PMError }
        }
        for _ in 0..<200 where try await session.requests().isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        http.shutdown()
        let error = await outcome
        #expect(error?.kind == .cancelled)
        #expect(error?.message.contains("shut down") == true)
        #expect(HTTPTest.seconds(since: start) < 5)
        // after shutdown a blocking call is refused at once
        let after: PMError? = await onOwnThread {
            do { _ = try http.blockingSend(request); return nil } catch { return error as? PMError }
        }
        #expect(after?.kind == .cancelled)
    }
}
