#if canImport(Glibc)
import Glibc
#endif

/// The bridge from blocking callers (C ABI, Python via ctypes, which releases the GIL) to the async
/// core. The calling thread does the work itself: the Task prefers a `CallerThreadExecutor`, so its
/// jobs run on the caller, and a completion (an HTTP response resumed by the curl thread) wakes the
/// caller directly. Two thread hand-offs per HTTP call (caller → curl thread → caller) instead of
/// four through the cooperative pool, and no pool thread is parked.
package enum Blocking {
    /// Runs `body` to completion and returns its value or throws its error. `token.cancel()` from
    /// any thread cancels the Task, so the call ends with `PMError(.cancelled)` as soon as the work
    /// notices (the HTTP transport notices at once). `CancellationError` becomes
    /// `PMError(.cancelled)`.
    ///
    /// Call it only from threads the Swift runtime does not own (C or Python threads, the
    /// library's own pthreads): a cooperative-pool thread parked here stops serving the pool.
    package static func run<T: Sendable>(token: CancellationToken? = nil,
                                        _ body: @escaping @Sendable () async throws -> T) throws -> T {
        if let token, token.isCancelled { throw PMError(.cancelled, "cancelled before it started") }
        let executor = CallerThreadExecutor<T>()
        // Child tasks (task groups) inherit the preference; their awaits still overlap, only
        // their CPU work shares the caller's thread.
        let task = Task(executorPreference: executor) {
            Blocking.markRootTask()   // its first job runs on this caller's thread
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            executor.finish(result)
        }
        let registration = token?.onCancel { task.cancel() }
        defer { if let registration { token?.removeHandler(registration) } }
        let outer = callerThreadKey.flatMap { pthread_getspecific($0) }
        let outcome = executor.runUntilFinished()
        if let key = callerThreadKey { _ = pthread_setspecific(key, outer) }
        switch outcome {
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

extension Blocking {
    /// True when the running code is the root task of a `run` on the caller's own thread: that
    /// thread has nothing else to do until the call ends, so the HTTP transport lets it drive its
    /// own transfers (`CurlCallerDriver`). False in the root's child tasks (a task group's timer
    /// child must keep running while a sibling waits for the network), on Swift concurrency
    /// threads and on the library's own threads.
    static var isCallerThread: Bool {
        guard let key = callerThreadKey, let marked = pthread_getspecific(key) else { return false }
        let stored = UnsafeRawPointer(marked)
        return withUnsafeCurrentTask { task in task.map { marker(of: $0) == stored } ?? false }
    }

    fileprivate static func markRootTask() {
        guard let key = callerThreadKey else { return }
        withUnsafeCurrentTask { task in
            if let task { _ = pthread_setspecific(key, marker(of: task)) }
        }
    }

    /// The task's identity as a non-nil pointer value; never dereferenced.
    private static func marker(of task: UnsafeCurrentTask) -> UnsafeRawPointer? {
        UnsafeRawPointer(bitPattern: task.hashValue == 0 ? 1 : task.hashValue)
    }
}

private let callerThreadKey: pthread_key_t? = {
    var key = pthread_key_t()
    return pthread_key_create(&key, nil) == 0 ? key : nil
}()

/// A task executor whose jobs run on the one thread inside `runUntilFinished()`, until the
/// result arrives. A job enqueued after that (none is expected: the result is the task's last
/// act) goes to the global executor, so nothing is ever stranded.
private final class CallerThreadExecutor<T: Sendable>: TaskExecutor, @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    // Guarded by mutex.
    private var jobs: [UnownedJob] = []
    private var result: Result<T, any Error>?
    private var draining = true

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
        jobs.reserveCapacity(4)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        pthread_mutex_lock(mutex)
        if draining {
            jobs.append(job)
            pthread_cond_signal(condition)
            pthread_mutex_unlock(mutex)
        } else {
            pthread_mutex_unlock(mutex)
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
        }
    }

    /// Called by the task's last job, on the caller's thread.
    func finish(_ value: Result<T, any Error>) {
        pthread_mutex_lock(mutex)
        result = value
        pthread_mutex_unlock(mutex)
    }

    /// Runs this executor's jobs on the calling thread until the task finished; returns its result.
    func runUntilFinished() -> Result<T, any Error> {
        pthread_mutex_lock(mutex)
        while true {
            if let result {
                draining = false
                let leftover = jobs
                jobs.removeAll()
                pthread_mutex_unlock(mutex)
                for job in leftover { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
                return result
            }
            if jobs.isEmpty {
                pthread_cond_wait(condition, mutex)
                continue
            }
            let job = jobs.removeFirst()
            pthread_mutex_unlock(mutex)
            job.runSynchronously(on: asUnownedTaskExecutor())
            pthread_mutex_lock(mutex)
        }
    }
}
