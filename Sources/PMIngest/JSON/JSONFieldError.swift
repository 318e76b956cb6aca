/// A well-formed document whose content does not fit what a decoder expects, naming the field.
package struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Problem: Sendable, Equatable {
        /// The key is absent (or, for a required value, null where null is not allowed).
        case missing
        /// The value has another JSON type, e.g. expected "string", found "number".
        case wrongType(expected: String, found: String)
        /// A decimal that does not parse or does not fit int64 micro-units.
        case invalidDecimal(DecimalError)
        /// An integer field with a fraction or outside Int64.
        case invalidInteger(JSONNumber.IntegerError)
        /// A string that should hold JSON (Gamma's `clobTokenIds`) but does not.
        case invalidEmbeddedJSON(JSONError)
        /// A string holding U+0000 (`\u0000`): C strings end at NUL, so it would reach C truncated.
        case containsNUL
        /// A token id that is not 1...78 decimal digits; the reason says what it was.
        case invalidTokenID(String)
    }

    /// The field's path: "asset_id", or "bids[2].price" once `nested(in:)` has been applied.
    package let field: String
    package let problem: Problem

    package init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }

    /// The same error with `parent` prefixed to the path, for decoders of nested objects:
    /// `"price".nested(in: "bids[2]")` → "bids[2].price"; `"[1]".nested(in: "clobTokenIds")` →
    /// "clobTokenIds[1]".
    package func nested(in parent: String) -> JSONFieldError {
        let path = field.hasPrefix("[") ? parent + field : parent + "." + field
        return JSONFieldError(field: path, problem: problem)
    }

    package var description: String {
        let detail: String
        switch problem {
        case .missing: detail = "missing"
        case .wrongType(let expected, let found): detail = "expected \(expected), found \(found)"
        case .invalidDecimal(let error): detail = error.description
        case .invalidInteger(let error): detail = error.description
        case .invalidEmbeddedJSON(let error): detail = "embedded " + error.description
        case .containsNUL: detail = "contains a NUL character (\\u0000)"
        case .invalidTokenID(let reason): detail = "not a token id: " + reason
        }
        return "field \"\(field)\": \(detail)"
    }
}
