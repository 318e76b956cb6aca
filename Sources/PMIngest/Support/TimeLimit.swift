/// Runs work against a wall-clock limit that cuts across everything it awaits (HTTP retries,
/// back-off, rate-limit waits): when the limit passes first, the work's task is cancelled — so
/// its request in flight is cancelled at once (`HTTPTransport` contract) — and `expired()` is
/// thrown instead of whatever the cancelled work ended with. Cancellation of the caller stays
/// cancellation.
enum TimeLimit {
    private enum Outcome<T: Sendable>: Sendable {
        case finished(Result<T, any Error>)
        case expired
        case timerCancelled
    }

    static func run<T: Sendable>(milliseconds: Int, expired: @escaping @Sendable () -> PMError,
                                 _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        // Up to a year: more is "no limit" in practice, and nanoseconds must not overflow.
        let nanoseconds = UInt64(min(max(milliseconds, 0), 365 * 86_400_000)) * 1_000_000
        let outcome: Outcome<T> = await withTaskGroup(of: Outcome<T>.self) { group in
            group.addTask {
                do { return .finished(.success(try await work())) } catch { return .finished(.failure(error)) }
            }
            group.addTask {
                do { try await Task.sleep(nanoseconds: nanoseconds) } catch { return .timerCancelled }
                return .expired
            }
            var first: Outcome<T> = .timerCancelled
            while let next = await group.next() {
                if case .timerCancelled = next { continue }   // only when the caller cancelled: wait for the work
                first = next
                break
            }
            group.cancelAll()   // the other child: the timer, or the work (its request in flight)
            return first
        }
        switch outcome {
        case .finished(let result): return try result.get()
        case .expired: throw expired()
        case .timerCancelled: throw PMError(.cancelled, "cancelled")
        }
    }
}
