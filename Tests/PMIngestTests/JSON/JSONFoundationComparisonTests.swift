import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Random valid documents: the parser must agree with Foundation's JSONSerialization on structure,
/// strings (scalar by scalar) and numbers (the Double read from our literal text, within 2 ulps
/// of Foundation's).
@Suite struct JSONFoundationComparisonTests {
    @Test func randomDocumentsMatchJSONSerialization() throws {
        var rng = JSONTestRNG(seed: 0xF0_0D)
        for iteration in 0..<3_000 {
            var generator = JSONDocumentGenerator(rng: rng)
            let text = generator.document()
            rng = generator.rng
            let bytes = Array(text.utf8)
            let mine = try JSONValue(parsing: bytes)
            let theirs = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            let same = Self.matches(mine, theirs)
            #expect(same, "iteration \(iteration): \(text)")
            if !same { return }
            // Serialising and re-parsing gives the same tree.
            #expect(try JSONValue(parsing: mine.serialized()) == mine)
        }
    }

    static func matches(_ mine: JSONValue, _ theirs: Any) -> Bool {
        let isFoundationBool = String(describing: type(of: theirs)) == "__NSCFBoolean"
        switch mine {
        case .null:
            return theirs is NSNull
        case .bool(let flag):
            return isFoundationBool && (theirs as? Bool) == flag
        case .number(let number):
            guard !isFoundationBool, let value = theirs as? NSNumber, let double = Double(number.text) else { return false }
            // Big integers and some exponent forms come back as NSDecimalNumber, whose doubleValue
            // is several ulps off: compare those as Decimals read from our literal text.
            if let decimal = value as? NSDecimalNumber, String(describing: type(of: value)) == "NSDecimalNumber" {
                return Decimal(string: number.text, locale: Locale(identifier: "en_US_POSIX")) == decimal.decimalValue
            }
            // Foundation's number reader is not correctly rounded for literals with more than 17
            // significant digits (off by one ulp, e.g. -7114.1203921269588895): allow 2 ulps.
            let other = value.doubleValue
            return other == double || abs(other - double) <= 2 * max(abs(double), abs(other)).ulp
        case .string(let text):
            guard let other = theirs as? String else { return false }
            return Array(text.unicodeScalars) == Array(other.unicodeScalars)
        case .array(let elements):
            guard let others = theirs as? [Any], others.count == elements.count else { return false }
            return zip(elements, others).allSatisfy { matches($0, $1) }
        case .object(let object):
            guard let others = theirs as? [String: Any], others.count == object.count else { return false }
            return object.members.allSatisfy { member in
                others[member.key].map { matches(member.value, $0) } ?? false
            }
        }
    }
}

/// Generates random valid JSON text exercising the whole grammar: every escape, surrogate pairs,
/// raw multi-byte UTF-8, every number form, random whitespace, nesting. Object keys are unique.
struct JSONDocumentGenerator {
    var rng: JSONTestRNG

    mutating func document() -> String { whitespace() + value(depth: 0) + whitespace() }

    mutating func value(depth: Int) -> String {
        let choice = depth >= 6 ? rng.int(0...3) : rng.int(0...5)
        switch choice {
        case 0: return ["null", "true", "false"][rng.int(0...2)]
        case 1, 2: return number()
        case 3: return string()
        case 4:
            let items = (0..<rng.int(0...5)).map { _ in whitespace() + value(depth: depth + 1) + whitespace() }
            return "[" + (items.isEmpty ? whitespace() : items.joined(separator: ",")) + "]"
        default:
            var keys = Set<String>()
            var members: [String] = []
            for _ in 0..<rng.int(0...5) {
                let key = string()
                // Unique by decoded value, so Foundation's dictionary holds every member.
                guard let decoded = try? JSONValue(parsing: key).stringValue, keys.insert(decoded).inserted else { continue }
                members.append(whitespace() + key + whitespace() + ":" + whitespace() + value(depth: depth + 1) + whitespace())
            }
            return "{" + (members.isEmpty ? whitespace() : members.joined(separator: ",")) + "}"
        }
    }

    mutating func number() -> String {
        var text = rng.chance(0.3) ? "-" : ""
        text += rng.chance(0.3) ? "0" : String(rng.int(1...9)) + rng.digits(rng.int(0...(rng.chance(0.1) ? 25 : 8)))
        if rng.chance(0.5) { text += "." + rng.digits(rng.int(1...17)) }
        if rng.chance(0.3) {
            text += (rng.chance(0.5) ? "e" : "E") + ["", "+", "-"][rng.int(0...2)] + String(rng.int(0...200))
        }
        return text
    }

    mutating func string() -> String {
        var text = "\""
        for _ in 0..<rng.int(0...(rng.chance(0.2) ? 40 : 10)) {
            switch rng.int(0...9) {
            case 0:
                text += ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"][rng.int(0...7)]
            case 1:
                // \uXXXX of a non-surrogate BMP scalar, or a surrogate pair.
                if rng.chance(0.3) {
                    text += String(format: "\\u%04X\\u%04x", rng.int(0xD800...0xDBFF), rng.int(0xDC00...0xDFFF))
                } else {
                    var unit = rng.int(0...0xFFFF)
                    if (0xD800...0xDFFF).contains(unit) { unit = 0x41 }
                    text += String(format: rng.chance(0.5) ? "\\u%04x" : "\\u%04X", unit)
                }
            case 2:
                let scalars: [UInt32] = [0xE9, 0x20AC, 0x1F600, 0x10FFFF, 0x7FF, 0x800, 0xFFFD, 0x0416, 0x4E2D]
                text.unicodeScalars.append(Unicode.Scalar(scalars[rng.int(0...(scalars.count - 1))])!)
            default:
                text.unicodeScalars.append(Unicode.Scalar(UInt8(rng.int(0x20...0x7E))))
                if text.hasSuffix("\\") || text.hasSuffix("\"") { text.removeLast(); text += "x" }
            }
        }
        return text + "\""
    }

    mutating func whitespace() -> String {
        guard rng.chance(0.3) else { return "" }
        return String((0..<rng.int(1...3)).map { _ in [" ", "\n", "\r", "\t"][rng.int(0...3)] })
    }
}
