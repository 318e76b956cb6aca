// The shared machinery of every C export: status mapping, the last-error slot, C string checks,
// and handle boxing. Every export follows one template — check pointers, validate UTF-8, run the
// core inside `withStatus`, never trap — so a bad call from C gets a status, not a crash.
import CPMIngest
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body`, mapping any thrown error to a status and recording its message for pm_last_error().
@inline(__always)
func withStatus(_ body: () throws -> Void) -> pm_status {
    do {
        try body()
        return PM_OK
    } catch {
        return fail(error)
    }
}

/// Records `error` in the calling thread's last-error slot and returns its status.
func fail(_ error: any Error) -> pm_status {
    let (status, message) = describe(error)
    pmingest_set_last_error(message)
    pmingest_set_last_error_http_status(httpStatus(of: error))
    return status
}

func fail(_ status: pm_status, _ message: String) -> pm_status {
    pmingest_set_last_error(message)
    pmingest_set_last_error_http_status(0)
    return status
}

/// The HTTP status behind `error` for pm_last_error_http_status(): 0 when it has none (or one
/// outside 1...999, which no HTTP answer has).
func httpStatus(of error: any Error) -> Int32 {
    guard let status = (error as? PMError)?.httpStatus, (1...999).contains(status) else { return 0 }
    return Int32(status)
}

func describe(_ error: any Error) -> (pm_status, String) {
    switch error {
    case let error as PMError: return (status(for: error.kind), error.message)
    case let error as DecimalError:
        switch error {
        case .malformed: return (PM_E_PARSE, error.description)
        case .outOfRange: return (PM_E_RANGE, error.description)
        }
    default: return (PM_E_INTERNAL, "unexpected error: \(error)")
    }
}

func status(for kind: PMError.Kind) -> pm_status {
    switch kind {
    case .invalidArgument: return PM_E_INVALID_ARG
    case .invalidUTF8: return PM_E_INVALID_UTF8
    case .network: return PM_E_NETWORK
    case .timeout: return PM_E_TIMEOUT
    case .http: return PM_E_HTTP
    case .parse: return PM_E_PARSE
    case .range: return PM_E_RANGE
    case .tooLarge: return PM_E_TOO_LARGE
    case .stale: return PM_E_STALE
    case .bookInvalid: return PM_E_BOOK_INVALID
    case .storage: return PM_E_STORAGE
    case .busy: return PM_E_BUSY
    case .corrupt: return PM_E_CORRUPT
    case .cantOpen: return PM_E_CANT_OPEN
    case .misuse: return PM_E_MISUSE
    case .cancelled: return PM_E_CANCELLED
    case .internal: return PM_E_INTERNAL
    case .noOrderBook: return PM_E_NO_BOOK
    }
}

/// Reads a C string argument. nil pointer → nil (the caller decides if that is allowed);
/// invalid UTF-8 → PMError(.invalidUTF8) naming the argument.
func optionalString(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String? {
    guard let pointer else { return nil }
    guard let value = String(validatingCString: pointer) else {
        throw PMError(.invalidUTF8, "\(name): not valid UTF-8")
    }
    return value
}

/// Reads a required C string argument: NULL → PMError(.invalidArgument).
func requiredString(_ pointer: UnsafePointer<CChar>?, _ name: String) throws -> String {
    guard let value = try optionalString(pointer, name) else {
        throw PMError(.invalidArgument, "\(name): must not be NULL")
    }
    return value
}

func requireArgument<T>(_ pointer: T?, _ name: String) throws -> T {
    guard let pointer else { throw PMError(.invalidArgument, "\(name): must not be NULL") }
    return pointer
}

/// A NUL-terminated string the library owns; `pointer` stays valid while this object lives.
final class OwnedCString {
    let pointer: UnsafeMutablePointer<CChar>?

    init(_ value: String) { pointer = strdup(value) }
    init?(_ value: String?) {
        guard let value else { return nil }
        pointer = strdup(value)
    }

    deinit { free(pointer) }

    var borrowed: UnsafePointer<CChar> { pointer.map { UnsafePointer($0) } ?? emptyCString }
}

/// "" with static storage: what accessors return for NULL records and absent fields.
var emptyCString: UnsafePointer<CChar> { staticCString("") }

/// A pointer to a string literal's static, NUL-terminated storage.
func staticCString(_ literal: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Handles are retained Swift objects; C holds the opaque pointer.
enum Handle {
    static func retain(_ object: AnyObject) -> OpaquePointer {
        OpaquePointer(Unmanaged.passRetained(object).toOpaque())
    }

    static func release(_ pointer: OpaquePointer?) {
        guard let pointer else { return }
        Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).release()
    }

    /// A pointer lent out by a parent object that keeps `object` alive.
    static func borrow(_ object: AnyObject) -> OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(object).toOpaque())
    }

    static func get<T: AnyObject>(_ pointer: OpaquePointer?, as type: T.Type) -> T? {
        guard let pointer else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue() as? T
    }
}
