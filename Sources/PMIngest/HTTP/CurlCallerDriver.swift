import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// A blocking caller's thread drives its own transfers: no hand-off to the engine thread and back.
///
/// Inside `Blocking.run` the Swift work runs on the caller's own thread (C, Python), which has
/// nothing else to do until the call returns. So an attempt made there runs on that thread, on a
/// libcurl multi handle and ONE easy handle kept per thread (reset, not re-created, per attempt;
/// the multi's connection cache keeps the keep-alive connection between calls). Both are freed
/// when the thread exits. A driver serves one engine (one client's transport): a call through
/// another engine replaces it, so clients never share connections (a new client must not get a
/// connection an earlier one left, as the engine path never does). What the engine thread would do stays the same: the same options
/// (`CurlTransfer.configure`), the same result (`CurlTransfer.result`), curl's own timeouts.
///
/// Cancellation (task cancel from `CancellationToken`/`pm_client_cancel`, or the engine's
/// `shutdown`) marks the `CurlDirectCall` and calls `curl_multi_wakeup`, the one multi call curl
/// documents as safe from another thread; the driving thread sees it at once, removes the easy
/// handle (curl closes a connection that is mid-transfer) and throws `.cancelled`.
final class CurlCallerDriver: @unchecked Sendable {
    // Owner thread only (and deinit, once no call holds the driver):
    let multi: UnsafeMutableRawPointer
    private var easy: UnsafeMutableRawPointer?
    private let engineSerial: UInt64

    private init?(engineSerial: UInt64) {
        guard let multi = curl_multi_init() else { return nil }
        self.multi = multi
        self.engineSerial = engineSerial
        _ = pm_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 4)
    }

    deinit {
        if let easy { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi)
    }

    /// The calling thread's driver when it is a blocking caller (inside `Blocking.run`), created
    /// on first use; nil elsewhere (Swift concurrency threads, the engine thread) or when curl
    /// cannot make a multi handle (the engine path is used then).
    static func forCurrentThread(engineSerial: UInt64) -> CurlCallerDriver? {
        guard Blocking.isCallerThread, let key = driverKey else { return nil }
        let old = pthread_getspecific(key)
        if let old {
            let driver = Unmanaged<CurlCallerDriver>.fromOpaque(old).takeUnretainedValue()
            if driver.engineSerial == engineSerial { return driver }
        }
        guard let driver = CurlCallerDriver(engineSerial: engineSerial) else { return nil }
        let raw = Unmanaged.passRetained(driver).toOpaque()
        guard pthread_setspecific(key, raw) == 0 else {
            Unmanaged<CurlCallerDriver>.fromOpaque(raw).release()
            return nil
        }
        if let old { destroy(old) }   // a call still holding it keeps it alive until it ends
        return driver
    }

    /// One attempt, on this thread, to the end (or until `call` is cancelled).
    func perform(_ call: CurlDirectCall) throws -> CurlResult {
        let transfer = CurlTransfer(call.spec)
        let handle: UnsafeMutableRawPointer
        if let easy {
            handle = easy   // reset by the previous transfer's detach()
        } else {
            guard let fresh = curl_easy_init() else {
                return .failure(CurlFailure(code: CURLE_OUT_OF_MEMORY, kind: .other, message: "curl_easy_init failed"))
            }
            easy = fresh
            handle = fresh
        }
        let code = transfer.configure(handle)
        if code != CURLE_OK {
            let failure = CurlFailure(code: code, kind: classifyCurlCode(code, overCap: false),
                                      message: transfer.errorText(code))
            transfer.detach()
            return .failure(failure)
        }
        let added = curl_multi_add_handle(multi, handle)
        guard added == CURLM_OK else {
            let text = curl_multi_strerror(added).map { String(cString: $0) } ?? "curl_multi_add_handle failed"
            transfer.detach()
            return .failure(CurlFailure(code: CURLE_FAILED_INIT, kind: .other, message: text))
        }
        defer {
            curl_multi_remove_handle(multi, handle)
            transfer.detach()
        }
        while true {
            if call.isCancelled { throw call.cancellationError }
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            var left: Int32 = 0
            while let message = curl_multi_info_read(multi, &left) {
                if message.pointee.msg == CURLMSG_DONE, message.pointee.easy_handle == handle {
                    return transfer.result(message.pointee.data.result)
                }
            }
            // curl_multi_poll returns at curl's own next timeout, or at a wakeup (cancel).
            if curl_multi_poll(multi, nil, 0, 1000, nil) != CURLM_OK {
                usleep(1000)   // never spin hot on a broken multi handle
            }
        }
    }

    fileprivate static func destroy(_ raw: UnsafeMutableRawPointer) {
        Unmanaged<CurlCallerDriver>.fromOpaque(raw).release()
    }
}

/// The per-thread drivers; the destructor frees a thread's handles when it exits.
private let driverKey: pthread_key_t? = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key) { raw in
        guard let raw else { return }
        CurlCallerDriver.destroy(raw)
    }
    return rc == 0 ? key : nil
}()

/// One attempt driven by its caller's thread, as the engine and a canceller see it.
final class CurlDirectCall: @unchecked Sendable {
    let spec: CurlRequestSpec
    private let driver: CurlCallerDriver
    private let lock = Lock()
    private var cancelledWith: PMError?

    init(spec: CurlRequestSpec, driver: CurlCallerDriver) {
        self.spec = spec
        self.driver = driver
    }

    var isCancelled: Bool { lock.withLock { cancelledWith != nil } }
    var cancellationError: PMError { lock.withLock { cancelledWith ?? CurlEngine.cancelledError } }

    /// From any thread: ends the attempt with `error` as soon as the driving thread wakes.
    func cancel(_ error: PMError) {
        lock.withLock { if cancelledWith == nil { cancelledWith = error } }
        curl_multi_wakeup(driver.multi)
    }
}
