import Foundation
@_spi(PMIngestTools) @testable import PMIngest
#if canImport(Glibc)
import Glibc
#endif

enum HTTPTest {
    /// Token "A/Yes" of the fake server's `basic` preset (it has a book).
    static let tokenA = "144025376118479892262749490880200562967355458335621099086839387638815271716888"
    static let tokenB1 = "157338753684267061108830111448127932791675353666341199424873457493042012750838"

    /// Short delays, no rate limits: the suite stays fast.
    static func config(maxAttempts: Int = 4, baseDelayMs: Int = 10, connectTimeoutMs: Int = 2_000,
                       totalTimeoutMs: Int = 5_000, maxResponseBytes: Int = 16 << 20,
                       rateLimits: [String: RateLimit] = [:], deadlineMs: Int = HTTPConfig.defaultDeadlineMs) -> HTTPConfig {
        HTTPConfig(connectTimeoutMs: connectTimeoutMs, totalTimeoutMs: totalTimeoutMs, maxResponseBytes: maxResponseBytes,
                   retry: RetryPolicy(maxAttempts: maxAttempts, baseDelayMs: baseDelayMs, maxDelayMs: 100),
                   rateLimits: rateLimits, deadlineMs: deadlineMs)
    }

    static func transport(_ config: HTTPConfig = HTTPTest.config()) throws -> CurlTransport {
        try CurlTransport(config: config)
    }

    /// Runs `body`, returning its error (nil if it did not throw) and how long it took.
    static func timed<T>(_ body: () async throws -> T) async -> (error: PMError?, other: (any Error)?, seconds: Double) {
        let start = ContinuousClock.now
        var pmError: PMError?
        var other: (any Error)?
        do { _ = try await body() } catch let error as PMError { pmError = error } catch { other = error }
        let elapsed = ContinuousClock.now - start
        return (pmError, other, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// A loopback port nobody listens on: bound, read, closed.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FakeServerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw FakeServerError("bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func threadCount() -> Int { entries("/proc/self/task").count }
    static func fdCount() -> Int { entries("/proc/self/fd").count }

    /// Threads of this process whose name (comm) is `name`.
    static func threads(named name: String) -> Int {
        entries("/proc/self/task").filter { tid in
            let comm = (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }

    private static func entries(_ directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    static func json(_ body: [UInt8]) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }
}

/// Deterministic generator for jitter tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Always the largest value: `Int.random(in: 0...n)` then returns n (never rejects, so never loops).
struct MaxRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 { UInt64.max }
}
