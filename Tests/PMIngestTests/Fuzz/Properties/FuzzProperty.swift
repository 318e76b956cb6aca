@_spi(PMIngestTools) @testable import PMIngest

/// The properties the libFuzzer targets check (Fuzz/, `make fuzz`) on every input, beyond "no
/// crash". Each returns nil when the input satisfies them and a one-line description otherwise.
///
/// This directory is compiled twice: into the test suite, which replays the seed corpus and every
/// crash input through these same checks (FuzzRegressionTests), and into the fuzz package
/// (Fuzz/Sources/FuzzProperties is a symlink here). So it imports nothing but PMIngest.
public enum FuzzProperty {
    public typealias Check = @Sendable (UnsafeBufferPointer<UInt8>) -> String?

    /// Fuzz target name (as in Fuzz/Package.swift and Fuzz/corpus/<name>) → its properties.
    public static let targets: [(name: String, check: Check)] = [
        ("fuzz-decimal", decimal),
        ("fuzz-book", book),
        ("fuzz-trades", trades),
        ("fuzz-markets", markets),
        ("fuzz-stream", stream),
    ]
}

/// Collects the first broken property; later checks are skipped once one failed.
struct Violations {
    private(set) var first: String?

    mutating func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if first == nil, !condition() { first = message() }
    }

    mutating func fail(_ message: String) {
        if first == nil { first = message }
    }
}

extension PMError.Kind {
    /// What a decoder may throw for a body that is not the expected payload.
    var isDecodingRefusal: Bool { self == .parse || self == .bookInvalid }
}

/// Printable excerpt of fuzz input for messages.
func fuzzExcerpt(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = 80) -> String {
    var text = ""
    for byte in bytes.prefix(limit) {
        text += byte >= 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "\\x" + String(byte, radix: 16)
    }
    return bytes.count > limit ? text + "…" : text
}

func fuzzExcerpt(_ text: String) -> String {
    var copy = text
    return copy.withUTF8 { fuzzExcerpt($0) }
}
