#if canImport(Glibc)
import Glibc
#endif

/// A plain pthread mutex. Used instead of Synchronization.Mutex so the lock can guard state in
/// classes that are shared with C threads (libcurl/libwebsockets service threads) without
/// `sending` gymnastics; held only around shared-state updates, never across I/O.
package final class Lock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }

    @inlinable
    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
