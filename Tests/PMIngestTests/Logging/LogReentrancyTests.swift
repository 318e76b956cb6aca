import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// A sink that runs `body` for each of its records of subsystem "test" (others are ignored: the
/// log is process-wide and other suites may be logging).
final class ReentrantSink: LogSink, @unchecked Sendable {
    let body: @Sendable (LogRecord) -> Void
    init(_ body: @escaping @Sendable (LogRecord) -> Void) { self.body = body }
    func log(_ record: LogRecord) { if record.subsystem == "test" { body(record) } }
}

final class Box<T>: @unchecked Sendable {
    private let lock = Lock()
    private var value: T
    init(_ value: T) { self.value = value }
    var get: T { lock.withLock { value } }
    func set(_ new: T) { lock.withLock { value = new } }
}

/// Runs `body` on a new thread; true when it finished within `seconds` (a liveness bound, not a
/// timing assertion: a deadlocked body never finishes).
func finishes(within seconds: Double = 20, _ body: @escaping @Sendable () -> Void) -> Bool {
    let done = DispatchSemaphore(value: 0)
    Thread { body(); done.signal() }.start()
    return done.wait(timeout: .now() + seconds) == .success
}

/// Re-entrancy: a sink that reconfigures or uses the log from inside a record must not deadlock.
extension LogTests {
    @Test func replacingTheSinkFromInsideItIsMisuseNotADeadlock() {
        let thrown = Box<PMError?>(nil)
        try? PMLog.setSink(ReentrantSink { _ in
            do { try PMLog.setSink(nil) } catch let error as PMError { thrown.set(error) } catch {}
        })
        defer { try? PMLog.setSink(nil) }
        #expect(finishes { PMLog.log(.warning, "test", "reconfigure from inside") })
        #expect(thrown.get?.kind == .misuse)
        #expect(PMLog.minimumLevel == .warning)   // the sink stayed installed
    }

    @Test func theLevelMayChangeFromInsideTheSink() {
        let seen = Box<[String]>([])
        try? PMLog.setSink(ReentrantSink { record in
            seen.set(seen.get + [record.message])
            PMLog.setMinimumLevel(.error)
        }, minimumLevel: .warning)
        defer { try? PMLog.setSink(nil) }
        #expect(finishes {
            PMLog.log(.warning, "test", "first")
            PMLog.log(.warning, "test", "below the new minimum")
            PMLog.log(.error, "test", "second")
        })
        #expect(seen.get == ["first", "second"])
        #expect(PMLog.minimumLevel == .error)
    }

    @Test func loggingFromInsideTheSinkIsDroppedNotADeadlock() {
        let seen = Box<[String]>([])
        try? PMLog.setSink(ReentrantSink { record in
            seen.set(seen.get + [record.message])
            _ = PMLog.minimumLevel
            _ = PMLog.isEnabled(.error)
            PMLog.log(.error, "test", "nested")   // records are delivered one at a time: dropped
        })
        defer { try? PMLog.setSink(nil) }
        #expect(finishes { PMLog.log(.warning, "test", "outer") })
        #expect(seen.get == ["outer"])
    }

    /// Another thread replacing the sink waits for the record in flight, and afterwards the old
    /// sink is never called again.
    @Test func replacingFromAnotherThreadWaitsForTheRecordInFlight() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let calls = Box(0)
        try PMLog.setSink(ReentrantSink { _ in
            calls.set(calls.get + 1)
            entered.signal()
            release.wait()
        })
        defer { try? PMLog.setSink(nil) }
        let logger = DispatchSemaphore(value: 0)
        Thread { PMLog.log(.warning, "test", "slow record"); logger.signal() }.start()
        #expect(entered.wait(timeout: .now() + 20) == .success)
        let replaced = DispatchSemaphore(value: 0)
        Thread { try? PMLog.setSink(nil); replaced.signal() }.start()
        #expect(replaced.wait(timeout: .now() + 0.2) == .timedOut)   // still waiting for the sink
        release.signal()
        #expect(replaced.wait(timeout: .now() + 20) == .success)
        #expect(logger.wait(timeout: .now() + 20) == .success)
        PMLog.log(.warning, "test", "after the replacement")
        #expect(calls.get == 1)
    }
}
