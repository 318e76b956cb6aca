#if canImport(Glibc)
import Glibc
#endif

/// A per-thread boolean (a pthread key): lets code detect that the current thread is already
/// inside some call — a log sink, a callback — and refuse what would deadlock on itself.
final class ThreadFlag: @unchecked Sendable {
    private let key: pthread_key_t?

    init() {
        var key = pthread_key_t()
        self.key = pthread_key_create(&key, nil) == 0 ? key : nil
    }

    var isSet: Bool {
        guard let key else { return false }
        return pthread_getspecific(key) != nil
    }

    func set(_ value: Bool) {
        guard let key else { return }
        // Any non-NULL value means "set"; nothing is pointed to.
        pthread_setspecific(key, value ? UnsafeRawPointer(bitPattern: 1) : nil)
    }
}
