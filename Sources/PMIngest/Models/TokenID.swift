/// Token (asset) ids are the CLOB's ERC-1155 position ids: decimal strings of 1...78 digits (a
/// uint256 has at most 78). Checked wherever an id enters — from a caller and from the wire — so
/// an id can never be a path segment (`..` would turn `/markets-by-token/..` into `GET {clob}/`),
/// a query trick, or text that a C string would truncate.
extension FieldCheck {
    static let tokenIDMaxDigits = 78

    /// Whether `bytes` are 1...78 ASCII digits.
    @inline(__always)
    static func isTokenID<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        let count = bytes.count
        guard count > 0, count <= tokenIDMaxDigits else { return false }
        return bytes.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
    }

    /// - Throws: `PMError(.invalidArgument)` naming the field and showing (an excerpt of) the value.
    static func tokenID(_ value: String, field: String = "token_id") throws(PMError) {
        if isTokenID(value.utf8) { return }
        throw PMError(.invalidArgument, "\(field): \(tokenIDProblem(value))")
    }

    /// Why `value` is not a token id, for error messages.
    static func tokenIDProblem(_ value: String) -> String {
        if value.isEmpty { return "must not be empty" }
        return "must be 1...\(tokenIDMaxDigits) decimal digits, got \"\(printable(value))\""
    }

    /// At most 40 characters of `value`, control characters (NUL included) shown as '?', for
    /// messages that must stay one readable line.
    static func printable(_ value: String) -> String {
        var shown = ""
        for scalar in value.unicodeScalars.prefix(40) {
            shown.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar)
        }
        return value.unicodeScalars.count > 40 ? shown + "…" : shown
    }
}
