import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// A validated request, in the form the engine thread hands to curl.
struct CurlRequestSpec: Sendable {
    let method: HTTPMethod
    let url: String
    /// "Name: value" lines for CURLOPT_HTTPHEADER.
    let headerLines: [String]
    let body: [UInt8]?
    var connectTimeoutMs: Int
    var totalTimeoutMs: Int
    let maxResponseBytes: Int
    let verifyTLS: Bool
    let followRedirects: Bool
    let userAgent: String
    /// `RetryPolicy.maxRetryAfterMs`, for messages.
    let retryLimitMs: Int
}

/// One attempt in flight. `continuation` and `cancelled` are guarded by the engine's lock;
/// everything else belongs to the engine thread (curl calls the callbacks there, from
/// curl_multi_perform).
final class CurlTransfer: @unchecked Sendable {
    let spec: CurlRequestSpec
    var continuation: CheckedContinuation<CurlResult, any Error>?
    var cancelled = false

    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// CURLOPT_ERRORBUFFER: curl's detailed message ("Failed to connect to ... port ...").
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var body: [UInt8] = []
    private var headers: [(name: String, value: String)] = []
    private var overCap = false
    /// A status line arrived (of any response, a redirect's included): the server has answered.
    private var sawStatusLine = false

    init(_ spec: CurlRequestSpec) {
        self.spec = spec
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        // `release()` always runs on the engine thread before the last reference goes; a handle
        // still alive here would still point at the buffer, so leak it rather than free it.
        if easy == nil { errorBuffer.deallocate() }
    }

    /// Sets every option on a fresh easy handle; returns the first failing code.
    func configure(_ easy: UnsafeMutableRawPointer) -> CURLcode {
        self.easy = easy
        let context = Unmanaged.passUnretained(self).toOpaque()
        var code = CURLE_OK
        func set(_ step: @autoclosure () -> CURLcode) { if code == CURLE_OK { code = step() } }

        set(spec.url.withCString { pm_curl_setopt_str(easy, CURLOPT_URL, $0) })
        set(pm_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))        // no SIGALRM in a host process
        set(pm_curl_setopt_str(easy, CURLOPT_ACCEPT_ENCODING, ""))  // every encoding curl decodes (gzip)
        set(pm_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, spec.connectTimeoutMs)))
        set(pm_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, spec.totalTimeoutMs)))
        // Early refusal when Content-Length is already too big; the write callback caps decoded bytes.
        set(pm_curl_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(spec.maxResponseBytes)))
        set(pm_curl_setopt_str(easy, CURLOPT_PROTOCOLS_STR, "http,https"))
        set(pm_curl_setopt_str(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        set(pm_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, spec.followRedirects ? 1 : 0))
        set(pm_curl_setopt_long(easy, CURLOPT_MAXREDIRS, 5))
        set(pm_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, spec.verifyTLS ? 1 : 0))
        set(pm_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, spec.verifyTLS ? 2 : 0))
        set(spec.userAgent.withCString { pm_curl_setopt_str(easy, CURLOPT_USERAGENT, $0) })
        set(pm_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        // No CURLOPT_PIPEWAIT: on an HTTP/1.1 connection it makes concurrent requests wait behind
        // a slow first response (a hanging request stalled its neighbours in the tests).
        set(pm_curl_setopt_ptr(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)))
        set(pm_curl_setopt_ptr(easy, CURLOPT_WRITEDATA, context))
        set(pm_curl_setopt_datafn(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveBody(data, size, count)
        })
        set(pm_curl_setopt_ptr(easy, CURLOPT_HEADERDATA, context))
        set(pm_curl_setopt_datafn(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            guard let context else { return 0 }
            return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receiveHeader(data, size, count)
        })
        for line in spec.headerLines where code == CURLE_OK {
            guard let list = line.withCString({ curl_slist_append(headerList, $0) }) else {
                code = CURLE_OUT_OF_MEMORY
                break
            }
            headerList = list
        }
        if let headerList { set(pm_curl_setopt_ptr(easy, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))) }
        switch spec.method {
        case .get:
            set(pm_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case .post:
            let body = spec.body ?? []
            set(pm_curl_setopt_long(easy, CURLOPT_POST, 1))
            // Size first, or COPYPOSTFIELDS would stop at the first NUL byte.
            set(pm_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            if body.isEmpty {
                set(pm_curl_setopt_str(easy, CURLOPT_COPYPOSTFIELDS, ""))
            } else {
                set(body.withUnsafeBytes { raw in
                    pm_curl_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
                })
            }
        }
        return code
    }

    private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int) -> Int {
        let (n, overflow) = size.multipliedReportingOverflow(by: count)
        guard !overflow, let data else { return 0 }
        guard n <= spec.maxResponseBytes - body.count else {
            overCap = true
            return 0   // != n: curl aborts with CURLE_WRITE_ERROR
        }
        data.withMemoryRebound(to: UInt8.self, capacity: n) { body.append(contentsOf: UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    /// One header line per call; status lines ("HTTP/1.1 100 Continue", redirects) start a new set.
    private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int) -> Int {
        let (n, overflow) = size.multipliedReportingOverflow(by: count)
        guard !overflow, let data else { return 0 }
        data.withMemoryRebound(to: UInt8.self, capacity: n) { parseHeaderLine(UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    private func parseHeaderLine(_ raw: UnsafeBufferPointer<UInt8>) {
        var line = raw[...]
        while let last = line.last, last == 13 || last == 10 { line = line.dropLast() }
        guard let first = line.first else { return }
        if line.starts(with: "HTTP/".utf8) {
            sawStatusLine = true
            headers.removeAll()
        } else if first == 32 || first == 9 {
            // obs-fold continuation of the previous header's value
            guard !headers.isEmpty else { return }
            headers[headers.count - 1].value += " " + trimmedText(line)
        } else if let colon = line.firstIndex(of: 58) {
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            headers.append((name: name, value: trimmedText(line[(colon + 1)...])))
        }
    }

    private func trimmedText(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String {
        var text = bytes
        while let f = text.first, f == 32 || f == 9 { text = text.dropFirst() }
        while let l = text.last, l == 32 || l == 9 { text = text.dropLast() }
        return String(decoding: text, as: UTF8.self)
    }

    /// The attempt's result once curl reported it done (engine thread, before `release`).
    func result(_ code: CURLcode) -> CurlResult {
        if code == CURLE_OK, let easy {
            var status = 0
            _ = pm_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
            return .response(HTTPResponse(status: status, headers: headers, body: body))
        }
        let kind = classifyCurlCode(code, overCap: overCap, fromTransfer: true, sawResponse: sawStatusLine)
        let message = kind == .tooLarge ? "response larger than \(spec.maxResponseBytes) bytes" : errorText(code)
        return .failure(CurlFailure(code: code, kind: kind, message: message))
    }

    func errorText(_ code: CURLcode) -> String {
        errorBuffer.pointee != 0 ? String(cString: errorBuffer) : curlText(code)
    }

    /// Frees the easy handle and header list (engine thread, after curl_multi_remove_handle).
    func release() {
        if let easy {
            curl_easy_cleanup(easy)
            self.easy = nil
        }
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
    }

    /// Gives the easy handle back for reuse instead of freeing it (`CurlCallerDriver`, after
    /// curl_multi_remove_handle): resets its options, which point at this transfer and its
    /// buffers, and frees the header list.
    func detach() {
        if let easy {
            curl_easy_reset(easy)
            self.easy = nil
        }
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
    }

    /// Resumes the caller once; a no-op if cancellation already did.
    func finish(_ result: CurlResult, lock: Lock) {
        let c: CheckedContinuation<CurlResult, any Error>? = lock.withLock {
            let c = continuation
            continuation = nil
            return c
        }
        c?.resume(returning: result)
    }

    func fail(_ error: PMError, lock: Lock) {
        let c: CheckedContinuation<CurlResult, any Error>? = lock.withLock {
            let c = continuation
            continuation = nil
            return c
        }
        c?.resume(throwing: error)
    }
}
