import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// curl_global_init must run once per process before any other curl call, and not concurrently
/// with itself: a lazy global is initialised exactly once (swift_once) on first use.
private let curlGlobalInitCode: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// One libcurl multi handle driven by one dedicated pthread (never a Swift Task: curl_multi_poll
/// blocks, and blocking the cooperative pool starves every other task). Other threads only touch
/// the locked submission/cancel/timer lists and call `curl_multi_wakeup`, the one multi call curl
/// documents as safe from another thread. All easy handles are created, driven and freed on the
/// engine thread. The engine also runs the transport's sleeps (backoff, Retry-After, rate-limit
/// waits) as timers, so `shutdown` ends those too.
final class CurlEngine: @unchecked Sendable {
    private let lock = Lock()
    private let multi: UnsafeMutableRawPointer
    private var thread: pthread_t?
    // Guarded by `lock`:
    private var submitted: [CurlTransfer] = []
    private var cancelled: [CurlTransfer] = []
    private var timers: [SleepTimer] = []
    private var stopping = false
    /// Attempts that blocking callers drive on their own threads (`CurlCallerDriver`).
    private var directCalls: [ObjectIdentifier: CurlDirectCall] = [:]
    // Engine thread only:
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    /// Unique per engine for the process's life (an address could be reused by a later engine).
    let serial: UInt64 = engineSerials.next()

    init(maxConnectionsPerHost: Int) throws {
        guard curlGlobalInitCode == CURLE_OK else {
            throw PMError(.internal, "curl_global_init failed: \(curlText(curlGlobalInitCode))")
        }
        guard let multi = curl_multi_init() else { throw PMError(.internal, "curl_multi_init failed") }
        self.multi = multi
        _ = pm_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, maxConnectionsPerHost))
        // Connection cache size: idle keep-alive connections kept for reuse.
        _ = pm_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(4, 2 * maxConnectionsPerHost))

        var tid = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&tid, nil, { arg in
            guard let arg else { return nil }
            // The thread owns one reference for its whole life, so the engine outlives it.
            let engine = Unmanaged<CurlEngine>.fromOpaque(arg).takeRetainedValue()
            engine.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<CurlEngine>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            throw PMError(.internal, "cannot start the HTTP thread (pthread_create: \(rc))")
        }
        thread = tid
        // Named here, not by the thread itself, so the name is set before init returns.
        _ = pm_thread_setname(tid, "pmingest-http")  // top -H, gdb, /proc/<pid>/task/*/comm
    }

    // MARK: API for any thread

    /// Runs one attempt. Throws only `PMError(.cancelled)` (task cancelled or engine shut down);
    /// every other outcome is a `CurlResult`.
    func perform(_ spec: CurlRequestSpec) async throws -> CurlResult {
        if let driver = CurlCallerDriver.forCurrentThread(engineSerial: serial) {
            return try await performDirect(spec, driver)
        }
        let transfer = CurlTransfer(spec)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CurlResult, any Error>) in
                let refusal: PMError? = lock.withLock {
                    if stopping { return Self.shutDownError }
                    if transfer.cancelled { return Self.cancelledError }
                    transfer.continuation = continuation
                    submitted.append(transfer)
                    curl_multi_wakeup(multi)
                    return nil
                }
                if let refusal { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            // Resume the caller now; the engine thread removes the easy handle on its next turn.
            let continuation: CheckedContinuation<CurlResult, any Error>? = lock.withLock {
                transfer.cancelled = true
                let c = transfer.continuation
                transfer.continuation = nil
                if !stopping {
                    cancelled.append(transfer)
                    curl_multi_wakeup(multi)
                }
                return c
            }
            continuation?.resume(throwing: Self.cancelledError)
        }
    }

    /// `perform` on a blocking caller's thread: that thread drives the transfer itself (no hop
    /// to the engine thread and back); cancellation and `shutdown` wake it through the call.
    private func performDirect(_ spec: CurlRequestSpec, _ driver: CurlCallerDriver) async throws -> CurlResult {
        let call = CurlDirectCall(spec: spec, driver: driver)
        let key = ObjectIdentifier(call)
        let refusal: PMError? = lock.withLock {
            if stopping { return Self.shutDownError }
            directCalls[key] = call
            return nil
        }
        if let refusal { throw refusal }
        defer { _ = lock.withLock { directCalls.removeValue(forKey: key) } }
        return try await withTaskCancellationHandler {
            try driver.perform(call)
        } onCancel: {
            call.cancel(Self.cancelledError)
        }
    }

    /// Sleeps `milliseconds`, ending early with `PMError(.cancelled)` on task cancellation or shutdown.
    func sleep(milliseconds: Int) async throws {
        if Task.isCancelled { throw Self.cancelledError }
        guard milliseconds > 0 else { return }
        let (delta, overflow) = Int64(milliseconds).multipliedReportingOverflow(by: 1_000_000)
        let timer = SleepTimer(deadline: monotonicNanoseconds() &+ (overflow ? Int64.max / 2 : delta))
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refusal: PMError? = lock.withLock {
                    if stopping { return Self.shutDownError }
                    if timer.cancelled { return Self.cancelledError }
                    timer.continuation = continuation
                    timers.append(timer)
                    curl_multi_wakeup(multi)
                    return nil
                }
                if let refusal { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = lock.withLock {
                timer.cancelled = true
                timers.removeAll { $0 === timer }
                let c = timer.continuation
                timer.continuation = nil
                return c
            }
            continuation?.resume(throwing: Self.cancelledError)
        }
    }

    /// Ends every pending call with `.cancelled`, stops and joins the thread, frees all curl
    /// handles. Idempotent; the first caller does the join.
    func shutdown() {
        let (tid, direct) = lock.withLock { () -> (pthread_t?, [CurlDirectCall]) in
            guard !stopping else { return (nil, []) }
            stopping = true
            curl_multi_wakeup(multi)
            let t = thread
            thread = nil
            return (t, Array(directCalls.values))
        }
        for call in direct { call.cancel(Self.shutDownError) }
        guard let tid else { return }
        if pthread_equal(tid, pthread_self()) != 0 {
            pthread_detach(tid)  // shut down from a completion on our own thread: it exits by itself
        } else {
            pthread_join(tid, nil)
        }
    }

    static let cancelledError = PMError(.cancelled, "HTTP request cancelled")
    static let shutDownError = PMError(.cancelled, "HTTP transport shut down")

    // MARK: Engine thread

    private func run() {
        while true {
            let now = monotonicNanoseconds()
            let (fresh, dropped, due, stop, nextDeadline) = lock.withLock {
                () -> ([CurlTransfer], [CurlTransfer], [CheckedContinuation<Void, any Error>], Bool, Int64?) in
                let fresh = submitted.filter { !$0.cancelled }
                let dropped = cancelled
                submitted.removeAll()
                cancelled.removeAll()
                // Take due continuations under the lock so a racing onCancel cannot resume them too.
                var due: [CheckedContinuation<Void, any Error>] = []
                timers.removeAll { timer in
                    guard timer.deadline <= now else { return false }
                    if let c = timer.continuation { due.append(c) }
                    timer.continuation = nil
                    return true
                }
                return (fresh, dropped, due, stopping, timers.map(\.deadline).min())
            }
            for continuation in due { continuation.resume() }
            if stop { break }
            for transfer in dropped { discard(transfer) }
            for transfer in fresh { start(transfer) }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            collectFinished()

            // Every event that needs the thread (submit, cancel, new timer, shutdown) calls
            // curl_multi_wakeup, and curl_multi_poll shortens the wait to curl's own next timeout,
            // so the idle wait can be long; it only has to end for our earliest timer.
            var waitMs: Int32 = 10_000
            if let nextDeadline {
                let remaining = (nextDeadline - monotonicNanoseconds() + 999_999) / 1_000_000
                waitMs = Int32(clamping: max(0, min(Int64(waitMs), remaining)))
            }
            if curl_multi_poll(multi, nil, 0, waitMs, nil) != CURLM_OK {
                usleep(10_000)   // never spin hot on a broken multi handle
            }
        }
        tearDown()
    }

    private func start(_ transfer: CurlTransfer) {
        guard let easy = curl_easy_init() else {
            transfer.finish(.failure(CurlFailure(code: CURLE_OUT_OF_MEMORY, kind: .other, message: "curl_easy_init failed")), lock: lock)
            return
        }
        let code = transfer.configure(easy)
        if code != CURLE_OK {
            let failure = CurlFailure(code: code, kind: classifyCurlCode(code, overCap: false),
                                      message: transfer.errorText(code))
            transfer.release()
            transfer.finish(.failure(failure), lock: lock)
            return
        }
        let added = curl_multi_add_handle(multi, easy)
        guard added == CURLM_OK else {
            let text = curl_multi_strerror(added).map { String(cString: $0) } ?? "curl_multi_add_handle failed"
            transfer.release()
            transfer.finish(.failure(CurlFailure(code: CURLE_FAILED_INIT, kind: .other, message: text)), lock: lock)
            return
        }
        active[easy] = transfer
    }

    /// A transfer whose caller was cancelled: drop its connection state (curl closes a connection
    /// that is mid-transfer) and free the handle.
    private func discard(_ transfer: CurlTransfer) {
        guard let easy = transfer.easy, active.removeValue(forKey: easy) != nil else { return }
        curl_multi_remove_handle(multi, easy)
        transfer.release()
    }

    private func collectFinished() {
        while true {
            var left: Int32 = 0
            guard let message = curl_multi_info_read(multi, &left) else { return }
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result   // read before remove_handle invalidates `message`
            guard let transfer = active.removeValue(forKey: easy) else {
                curl_multi_remove_handle(multi, easy)
                curl_easy_cleanup(easy)
                continue
            }
            let result = transfer.result(code)
            curl_multi_remove_handle(multi, easy)
            transfer.release()
            transfer.finish(result, lock: lock)
        }
    }

    private func tearDown() {
        let (pending, dropped, sleeping) = lock.withLock { () -> ([CurlTransfer], [CurlTransfer], [SleepTimer]) in
            defer { submitted.removeAll(); cancelled.removeAll(); timers.removeAll() }
            return (submitted, cancelled, timers)
        }
        for timer in sleeping { timer.fail(Self.shutDownError, lock: lock) }
        for transfer in pending { transfer.fail(Self.shutDownError, lock: lock) }
        _ = dropped
        for (easy, transfer) in active {
            curl_multi_remove_handle(multi, easy)
            transfer.release()
            transfer.fail(Self.shutDownError, lock: lock)
        }
        active.removeAll()
        curl_multi_cleanup(multi)   // closes cached connections and the wakeup socketpair
    }
}

/// The source of `CurlEngine.serial`.
private let engineSerials = SerialCounter()

final class SerialCounter: @unchecked Sendable {
    private let lock = Lock()
    private var last: UInt64 = 0
    func next() -> UInt64 { lock.withLock { last &+= 1; return last } }
}

/// What one attempt produced.
enum CurlResult: Sendable {
    case response(HTTPResponse)
    case failure(CurlFailure)
}

struct CurlFailure: Sendable, Error {
    let code: CURLcode
    let kind: TransportFailure
    let message: String
}

/// libcurl result codes → retry classes.
///
/// `fromTransfer`: the code ended a transfer (not a refused option). Its URL already passed
/// `CurlTransport.validate` (an http(s) URL, and curl may speak only those), so a protocol
/// complaint there is about the server — an HTTP/0.9 reply, a redirect to another scheme — and so
/// is a malformed URL once the server has answered (`sawResponse`: its redirect's Location). What
/// a server sends is a network failure, never `.invalidRequest`: that would blame the caller's
/// arguments (and G5 rethrows those instead of failing closed).
func classifyCurlCode(_ code: CURLcode, overCap: Bool, fromTransfer: Bool = false, sawResponse: Bool = false) -> TransportFailure {
    if overCap { return .tooLarge }
    if fromTransfer, code == CURLE_UNSUPPORTED_PROTOCOL || (sawResponse && code == CURLE_URL_MALFORMAT) {
        return .other
    }
    switch code {
    case CURLE_OPERATION_TIMEDOUT:
        return .timeout
    case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE,
         CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SSL_CONNECT_ERROR, CURLE_HTTP2,
         CURLE_HTTP2_STREAM:
        return .connection
    case CURLE_FILESIZE_EXCEEDED:
        return .tooLarge
    case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_UNKNOWN_OPTION:
        return .invalidRequest
    default:
        return .other
    }
}

func curlText(_ code: CURLcode) -> String {
    guard let text = curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
    return String(cString: text)
}

func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// A pending sleep of `CurlEngine.sleep`. `continuation` and `cancelled` are guarded by the engine lock.
final class SleepTimer: @unchecked Sendable {
    let deadline: Int64
    var continuation: CheckedContinuation<Void, any Error>?
    var cancelled = false

    init(deadline: Int64) { self.deadline = deadline }

    func fail(_ error: PMError, lock: Lock) {
        let c: CheckedContinuation<Void, any Error>? = lock.withLock {
            let c = continuation
            continuation = nil
            return c
        }
        c?.resume(throwing: error)
    }
}
