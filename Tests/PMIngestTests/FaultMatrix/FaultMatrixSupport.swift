import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// What a fault-matrix call did within its hang guard.
struct Guarded<T: Sendable>: Sendable {
    /// The call's result; nil when it was still running at the guard (a hang: the call is cancelled).
    let result: Result<T, any Error>?
    let seconds: Double

    var value: T? { if case .success(let value)? = result { return value } else { return nil } }
    var error: (any Error)? { if case .failure(let error)? = result { return error } else { return nil } }
}

/// Runs `operation`, waiting at most `seconds` for it. A call still running then is recorded as a
/// hang (the test fails, the call is cancelled and abandoned), so a fault that makes the client
/// hang fails its case instead of stalling the whole suite. A hang guard, not a speed assertion:
/// callers pass the call's configured timeouts plus a generous margin.
func withHangGuard<T: Sendable>(seconds: Double, _ what: String,
                                _ operation: @escaping @Sendable () async throws -> T) async -> Guarded<T> {
    let start = ContinuousClock.now
    let result: Result<T, any Error>? = await withCheckedContinuation { continuation in
        let once = ResumeOnce(continuation)
        let call = Task {
            do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if once.resume(nil) { call.cancel() }
        }
        once.onResume = { timer.cancel() }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    if result == nil { Issue.record("\(what): still running after the \(Int(seconds)) s hang guard") }
    return Guarded(result: result, seconds: seconds)
}

/// Resumes a continuation exactly once, from whichever side gets there first.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<T, any Error>?, Never>?
    private var cleanup: (@Sendable () -> Void)?
    private var done = false

    init(_ continuation: CheckedContinuation<Result<T, any Error>?, Never>) { self.continuation = continuation }

    /// Runs once the continuation has been resumed (at once, if it already was).
    var onResume: (@Sendable () -> Void)? {
        get { nil }
        set {
            lock.lock()
            let runNow = done
            if !runNow { cleanup = newValue }
            lock.unlock()
            if runNow { newValue?() }
        }
    }

    /// True when this call resumed the continuation.
    @discardableResult
    func resume(_ value: Result<T, any Error>?) -> Bool {
        lock.lock()
        let continuation = self.continuation
        let cleanup = self.cleanup
        self.continuation = nil
        self.cleanup = nil
        done = true
        lock.unlock()
        guard let continuation else { return false }
        continuation.resume(returning: value)
        cleanup?()
        return true
    }
}

extension String {
    /// For `#expect(message.mentions([...]))`: every fragment occurs.
    func mentions(_ fragments: [String]) -> Bool { fragments.allSatisfy { contains($0) } }
}

/// Two real transports behind one client: until `arm`, everything goes through the generously
/// configured set-up transport; after it, the requests `isFaulted` picks go through the case's own
/// (maybe short-timeout) transport. So a case with a 700 ms timeout times out only on the faulted
/// request, never on its fault-free baseline or set-up requests on a loaded machine.
final class ArmedTransport: HTTPTransport, @unchecked Sendable {
    private let setUp: CurlTransport
    private let faulted: CurlTransport
    private let isFaulted: @Sendable (HTTPRequest) -> Bool
    private let lock = NSLock()
    private var armed = false

    init(setUp: HTTPConfig, faulted: HTTPConfig, isFaulted: @escaping @Sendable (HTTPRequest) -> Bool) throws {
        self.setUp = try CurlTransport(config: setUp)
        self.faulted = try CurlTransport(config: faulted)
        self.isFaulted = isFaulted
    }

    /// From now on the faulted requests go the faulted way. `warmingUp` (a URL on the same server,
    /// not in the request log) is fetched first, best effort, so that the faulted transport's first
    /// attempt reuses a keep-alive connection as in production.
    func arm(warmingUp url: String) async throws {
        _ = try? await faulted.send(HTTPRequest(url: url))
        lock.withLock { armed = true }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let useFaulted = lock.withLock { armed } && isFaulted(request)
        return try await (useFaulted ? faulted : setUp).send(request)
    }

    func shutdown() {
        setUp.shutdown()
        faulted.shutdown()
    }
}
