#if canImport(Glibc)
import Glibc
#endif

/// Recently decoded id strings (token and condition ids) of one parser, so a stream's few hundred
/// assets are allocated once instead of once per event: a hit hands out the cached `String` (a
/// retain), a miss makes one and keeps it. Direct-mapped (`slotCount` slots, a colliding id replaces
/// the older one), so memory stays bounded whatever the stream sends.
///
/// Used under a try-lock, one acquisition per frame: a parser shared by several threads never makes
/// one wait; the thread that finds the cache busy just decodes without it.
final class IDStringCache: @unchecked Sendable {
    static let slotCount = 1024
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var slots: [String?] = []

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the cache if no other thread holds it, else with nil.
    @inline(__always)
    func withCacheIfFree<T>(_ body: (IDStringCache?) -> T) -> T {
        guard pthread_mutex_trylock(mutex) == 0 else { return body(nil) }
        defer { pthread_mutex_unlock(mutex) }
        return body(self)
    }

    /// The string of `bytes` (ASCII the caller checked), from the cache when it holds it.
    /// Only call inside `withCacheIfFree`'s body, with the cache it passed.
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard let base = bytes.baseAddress, bytes.count >= 8 else { return String(decoding: bytes, as: UTF8.self) }
        if slots.isEmpty { slots = Array(repeating: nil, count: IDStringCache.slotCount) }
        let raw = UnsafeRawPointer(base)
        let first = raw.loadUnaligned(as: UInt64.self)
        let last = raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
        let hash = (first &* 0x9E37_79B9_7F4A_7C15) ^ (last &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(bytes.count)
        let slot = Int(truncatingIfNeeded: (hash ^ (hash >> 29)) & UInt64(IDStringCache.slotCount - 1))
        guard slot >= 0, slot < slots.count else { return String(decoding: bytes, as: UTF8.self) }
        if let cached = slots[slot], IDStringCache.equal(cached, bytes) { return cached }
        let made = String(decoding: bytes, as: UTF8.self)
        slots[slot] = made
        return made
    }

    @inline(__always)
    private static func equal(_ cached: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let same = cached.utf8.withContiguousStorageIfAvailable { stored -> Bool in
            guard stored.count == bytes.count, let a = stored.baseAddress, let b = bytes.baseAddress else { return false }
            return memcmp(a, b, bytes.count) == 0
        }
        return same ?? false
    }
}
