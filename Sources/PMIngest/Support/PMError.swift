/// The one error type of pmingest's core. `kind` is what callers branch on (and what the C ABI
/// maps to `pm_status`); `message` is a clear sentence for humans.
public struct PMError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidArgument
        case invalidUTF8
        case network
        case timeout
        case http
        case parse
        case range
        case tooLarge
        case stale
        case bookInvalid
        case storage
        case busy
        case corrupt
        case cantOpen
        case misuse
        case cancelled
        case `internal`
        /// The CLOB has no order book for the token (`GET /book` answered 404): the market is
        /// resolved, or the token is unknown. Final, not a network failure: never retried.
        case noOrderBook
    }

    public let kind: Kind
    public let message: String
    /// The HTTP status behind an `.http` error (and a 429/5xx that exhausted its retries).
    public let httpStatus: Int?

    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String { message }

    /// Wraps a decimal error, naming the field it came from.
    public static func decimal(_ error: DecimalError, field: String) -> PMError {
        switch error {
        case .malformed: return PMError(.parse, "\(field): \(error)")
        case .outOfRange: return PMError(.range, "\(field): \(error)")
        }
    }
}
