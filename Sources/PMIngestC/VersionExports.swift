import CPMIngest

@c @implementation
public func pm_version_number() -> UInt32 { pmingest_header_version_number() }

@c @implementation
public func pm_version_string() -> UnsafePointer<CChar>? { pmingest_header_version_string() }

@c @implementation
public func pm_abi_version() -> UInt32 { UInt32(PM_ABI_VERSION) }

@c @implementation
public func pm_status_str(_ status: pm_status) -> UnsafePointer<CChar>? {
    switch status {
    case PM_OK: return staticCString("ok")
    case PM_E_INVALID_ARG: return staticCString("invalid argument")
    case PM_E_INVALID_UTF8: return staticCString("invalid UTF-8")
    case PM_E_NETWORK: return staticCString("network error")
    case PM_E_TIMEOUT: return staticCString("timed out")
    case PM_E_HTTP: return staticCString("HTTP error")
    case PM_E_PARSE: return staticCString("parse error")
    case PM_E_RANGE: return staticCString("out of range")
    case PM_E_TOO_LARGE: return staticCString("too large")
    case PM_E_STALE: return staticCString("stale data")
    case PM_E_BOOK_INVALID: return staticCString("invalid order book")
    case PM_E_STORAGE: return staticCString("storage error")
    case PM_E_BUSY: return staticCString("database busy")
    case PM_E_CORRUPT: return staticCString("not a database or corrupt")
    case PM_E_CANT_OPEN: return staticCString("cannot open database")
    case PM_E_MISUSE: return staticCString("misuse")
    case PM_E_CANCELLED: return staticCString("cancelled")
    case PM_E_INTERNAL: return staticCString("internal error")
    case PM_E_NO_BOOK: return staticCString("no order book")
    default: return staticCString("unknown status")
    }
}
