// Versioned options structs across library versions: a caller built against an older header
// passes a SHORTER struct, so neither reading nor writing may touch the bytes past the fields
// its version has (they are not the caller's memory). The version is always the first field.
import PMIngest

enum VersionedOptions {
    /// The caller's struct: the whole of it for `version >= newVersion`; for an older one only
    /// its first `olderBytes` bytes, over `defaults` (so newer fields keep their defaults).
    static func read<T>(_ pointer: UnsafePointer<T>, newVersion: UInt32, olderBytes: Int, defaults: T) -> T {
        let version = UnsafeRawPointer(pointer).load(as: UInt32.self)
        if version >= newVersion { return pointer.pointee }
        var value = defaults
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: min(olderBytes, target.count)))
        }
        return value
    }

    /// Writes `value` into the caller's struct: all of it for `version >= newVersion`, else only
    /// its first `olderBytes` bytes.
    static func write<T>(_ value: T, to pointer: UnsafeMutablePointer<T>, version: UInt32, newVersion: UInt32, olderBytes: Int) {
        if version >= newVersion {
            pointer.pointee = value
            return
        }
        withUnsafeBytes(of: value) { source in
            guard let base = source.baseAddress else { return }
            UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: min(olderBytes, source.count))
        }
    }

    /// The size of the fields before `field` (the first one a newer version added).
    static func bytes<T>(before field: PartialKeyPath<T>) throws -> Int {
        guard let offset = MemoryLayout<T>.offset(of: field) else {
            throw PMError(.internal, "options layout: no offset for \(field)")
        }
        return offset
    }
}
