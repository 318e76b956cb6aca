/// A JSON number kept as its exact literal text ("0.30000000000000004", "1E2", "-0").
///
/// Never converted through Double: prices and sizes are rounded to micro-units from the digits
/// (`roundedMicros()`), timestamps are read exactly (`int64Value`).
@_spi(PMIngestTools) public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The literal exactly as it appeared on the wire; always valid RFC 8259 number grammar.
    public let text: String

    /// Validates `text` against the RFC 8259 number grammar (no leading "+", no leading zeros,
    /// no "NaN"/"Infinity", no surrounding spaces).
    public init?(_ text: String) {
        var copy = text
        let valid = copy.withUTF8 { buffer -> Bool in
            guard let end = try? JSONNumber.scanLiteral(buffer, from: 0) else { return false }
            return end == buffer.count
        }
        guard valid else { return nil }
        self.text = text
    }

    public init(_ value: Int64) { text = String(value) }

    /// For text already checked by `scanLiteral`.
    init(validatedText: String) { text = validatedText }

    public var description: String { text }

    /// Why a number is not an exact Int64.
    public enum IntegerError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The value has a non-zero fraction ("1.5", "1e-3").
        case notAnInteger(String)
        /// The value is an integer outside Int64.
        case outOfRange(String)

        public var description: String {
            switch self {
            case .notAnInteger(let text): return "not an integer: \(DecimalError.excerpt(text))"
            case .outOfRange(let text): return "integer out of range: \(DecimalError.excerpt(text))"
            }
        }
    }

    /// The exact integer value. Any literal whose value is an integer is accepted ("17", "1.0",
    /// "1e3", "-0"); a non-zero fraction or a value outside Int64 throws.
    public var int64Value: Int64 {
        get throws(IntegerError) {
            let text = self.text
            let result: Result<Int64, IntegerError> = withParts { parts in
                let n = parts.digitCount
                if n == 0 { return .success(0) }
                let magnitude: UInt64
                if parts.pointExponent >= 0 {
                    guard let lead = parts.leadingValue(count: n),
                          let scaled = JSONNumberParts.scale(lead, byPowerOfTen: parts.pointExponent)
                    else { return .failure(.outOfRange(text)) }
                    magnitude = scaled
                } else {
                    let kept = n + parts.pointExponent   // pointExponent < 0: digits left of the point
                    guard kept > 0 else { return .failure(.notAnInteger(text)) }
                    if parts.anyNonZero(from: kept) { return .failure(.notAnInteger(text)) }
                    guard let lead = parts.leadingValue(count: kept) else { return .failure(.outOfRange(text)) }
                    magnitude = lead
                }
                guard let value = JSONNumberParts.signed(magnitude, negative: parts.negative) else {
                    return .failure(.outOfRange(text))
                }
                return .success(value)
            }
            return try result.get()
        }
    }

    /// Runs `body` on the literal split into sign, significant digits and exponent.
    func withParts<R>(_ body: (JSONNumberParts) -> R) -> R {
        var copy = text
        return copy.withUTF8 { body(JSONNumberParts(bytes: $0)) }
    }

    /// Scans one number literal starting at `start`; returns the index just past it.
    /// The caller decides whether what follows is allowed.
    static func scanLiteral(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) throws(JSONError) -> Int {
        let end = bytes.count
        var i = start
        if i < end, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end else { throw JSONError(.unexpectedEnd, offset: i, message: "number ends before its digits") }
        let first = bytes[i]
        if first == UInt8(ascii: "0") {
            i += 1
            if i < end, isDigit(bytes[i]) {
                throw JSONError(.invalidNumber, offset: i, message: "leading zero in number")
            }
        } else if isDigit(first) {
            i += 1
            while i < end, isDigit(bytes[i]) { i += 1 }
        } else {
            throw JSONError(.invalidNumber, offset: i, message: "expected a digit in number")
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < end else { throw JSONError(.unexpectedEnd, offset: i, message: "number ends after '.'") }
            guard isDigit(bytes[i]) else {
                throw JSONError(.invalidNumber, offset: i, message: "expected a digit after '.'")
            }
            while i < end, isDigit(bytes[i]) { i += 1 }
        }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < end else { throw JSONError(.unexpectedEnd, offset: i, message: "number ends in its exponent") }
            guard isDigit(bytes[i]) else {
                throw JSONError(.invalidNumber, offset: i, message: "expected a digit in exponent")
            }
            while i < end, isDigit(bytes[i]) { i += 1 }
        }
        return i
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
}

/// A number literal as significand digits × 10^pointExponent. Valid only inside `withParts`.
///
/// The significand is the integer digits followed by the fraction digits with leading zeros
/// dropped, so `digitCount == 0` means the value is zero.
struct JSONNumberParts {
    /// Exponents are saturated here: beyond it every non-zero value is out of range or rounds to 0,
    /// and the arithmetic on it can never overflow.
    static let exponentLimit = 1_000_000_000_000

    let bytes: UnsafeBufferPointer<UInt8>
    let negative: Bool
    private let integerStart: Int
    private let integerCount: Int
    private let fractionStart: Int
    private let firstSignificant: Int
    /// Number of significant digits.
    let digitCount: Int
    /// value = significand × 10^pointExponent.
    let pointExponent: Int

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        let end = bytes.count
        var i = 0
        negative = end > 0 && bytes[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        integerStart = i
        while i < end, JSONNumber.isDigit(bytes[i]) { i += 1 }
        integerCount = i - integerStart
        var fractionCount = 0
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < end, JSONNumber.isDigit(bytes[i]) { i += 1 }
            fractionCount = i - start
        }
        fractionStart = integerStart + integerCount + 1
        var exponent = 0
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") { exponentNegative = true; i += 1 }
            else if i < end, bytes[i] == UInt8(ascii: "+") { i += 1 }
            while i < end, JSONNumber.isDigit(bytes[i]) {
                if exponent < JSONNumberParts.exponentLimit { exponent = exponent * 10 + Int(bytes[i] &- 48) }
                i += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        pointExponent = exponent - fractionCount
        let total = integerCount + fractionCount
        var k = 0
        while k < total, JSONNumberParts.rawDigit(bytes, k, integerStart, integerCount, fractionStart) == 0 { k += 1 }
        firstSignificant = k
        digitCount = total - k
    }

    /// Significant digit `index` (0 = most significant), 0...9; 0 outside 0..<digitCount.
    @inline(__always)
    func digit(_ index: Int) -> UInt8 {
        guard index >= 0, index < digitCount else { return 0 }
        return JSONNumberParts.rawDigit(bytes, firstSignificant + index, integerStart, integerCount, fractionStart)
    }

    @inline(__always)
    private static func rawDigit(_ bytes: UnsafeBufferPointer<UInt8>, _ k: Int, _ integerStart: Int,
                                 _ integerCount: Int, _ fractionStart: Int) -> UInt8 {
        let index = k < integerCount ? integerStart + k : fractionStart + (k - integerCount)
        guard index >= 0, index < bytes.count else { return 0 }
        return bytes[index] &- UInt8(ascii: "0")
    }

    /// The first `count` significant digits as an integer; nil if it exceeds UInt64.
    func leadingValue(count: Int) -> UInt64? {
        guard count <= 20 else { return nil }
        var value: UInt64 = 0
        var index = 0
        while index < count {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit(index)))
            if o1 || o2 { return nil }
            value = sum
            index += 1
        }
        return value
    }

    /// Whether any significant digit at `index` or later is non-zero.
    func anyNonZero(from index: Int) -> Bool {
        var k = max(index, 0)
        while k < digitCount {
            if digit(k) != 0 { return true }
            k += 1
        }
        return false
    }

    /// `value × 10^power`, nil on UInt64 overflow (power ≥ 0).
    static func scale(_ value: UInt64, byPowerOfTen power: Int) -> UInt64? {
        if value == 0 { return 0 }
        guard power <= 19 else { return nil }
        var result = value
        var remaining = power
        while remaining > 0 {
            let (product, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            result = product
            remaining -= 1
        }
        return result
    }

    /// Applies the sign; nil if outside Int64 (the negative side reaches Int64.min).
    static func signed(_ magnitude: UInt64, negative: Bool) -> Int64? {
        if negative {
            if magnitude == Int64.min.magnitude { return Int64.min }
            guard magnitude < Int64.min.magnitude else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
