#if canImport(Glibc)
import Glibc
#endif

/// The bridge from blocking callers (C ABI, Python via ctypes, which releases the GIL) to the async
/// core: runs the work in a Task and parks only the calling thread on a condition variable.
public enum Blocking {
    /// Runs `body` to completion and returns its value or throws its error. `token.cancel()` from
    /// any thread cancels the Task, so the call ends with `PMError(.cancelled)` as soon as the work
    /// notices (the HTTP transport notices at once). `CancellationError` becomes
    /// `PMError(.cancelled)`.
    ///
    /// Call it only from threads the Swift runtime does not own: parking a cooperative-pool
    /// thread here can starve the very Task it waits for.
    public static func run<T: Sendable>(token: CancellationToken? = nil,
                                        _ body: @escaping @Sendable () async throws -> T) throws -> T {
        if let token, token.isCancelled { throw PMError(.cancelled, "cancelled before it started") }
        let waiter = BlockingWaiter<T>()
        let task = Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            waiter.fill(result)
        }
        let registration = token?.onCancel { task.cancel() }
        defer { if let registration { token?.removeHandler(registration) } }
        switch waiter.wait() {
        case .success(let value):
            return value
        case .failure(let error as PMError):
            throw error
        case .failure(let error) where error is CancellationError:
            throw PMError(.cancelled, "cancelled")
        case .failure(let error):
            throw error
        }
    }
}

/// A one-shot result slot with a pthread condition variable.
private final class BlockingWaiter<T: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var result: Result<T, any Error>?

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func fill(_ value: Result<T, any Error>) {
        pthread_mutex_lock(mutex)
        result = value
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    func wait() -> Result<T, any Error> {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result { return result }
            pthread_cond_wait(condition, mutex)
        }
    }
}
