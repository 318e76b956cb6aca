/// The recursive-descent reader behind `JSONParser`: one pass over the bytes, no copies except
/// the final String/number text of each token.
///
/// Every byte access is preceded by an explicit `index < end` check: a subscript of an
/// UnsafeBufferPointer is unchecked in release builds, so a missed check would read out of bounds
/// rather than trap.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    let maxDepth: Int
    var position = 0
    var depth = 0
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.end = bytes.count
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < end {
            throw JSONError(.trailingData, offset: position, message: "unexpected \(describe(bytes[position])) after the value")
        }
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONError) -> JSONValue {
        guard position < end else { throw JSONError(.unexpectedEnd, offset: position, message: "expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case let byte: throw JSONError(.unexpectedByte, offset: position, message: "expected a value, found \(describe(byte))")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        var k = 0
        while k < count {
            let at = position + k
            guard at < end else { throw JSONError(.unexpectedEnd, offset: at, message: "input ends inside '\(literal)'") }
            guard bytes[at] == start[k] else {
                throw JSONError(.unexpectedByte, offset: at, message: "expected '\(literal)', found \(describe(bytes[at]))")
            }
            k += 1
        }
        position += count
    }

    mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let start = position
        let stop = try JSONNumber.scanLiteral(bytes, from: start)
        position = stop
        return JSONNumber(validatedText: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self))
    }

    mutating func enterContainer() throws(JSONError) {
        guard depth < maxDepth else {
            throw JSONError(.tooDeep, offset: position, message: "nesting deeper than \(maxDepth)")
        }
        depth += 1
    }

    mutating func parseArray() throws(JSONError) -> [JSONValue] {
        try enterContainer()
        defer { depth -= 1 }
        position += 1   // "["
        skipWhitespace()
        var elements: [JSONValue] = []
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "array not closed")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return elements
            case let byte:
                throw JSONError(.unexpectedByte, offset: position, message: "expected ',' or ']', found \(describe(byte))")
            }
        }
    }

    mutating func parseObject() throws(JSONError) -> JSONObject {
        try enterContainer()
        defer { depth -= 1 }
        position += 1   // "{"
        skipWhitespace()
        var members: [JSONObject.Member] = []
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return JSONObject(members)
        }
        while true {
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "object not closed")
            }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw JSONError(.unexpectedByte, offset: position, message: "expected a string key, found \(describe(bytes[position]))")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "expected ':' after key")
            }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw JSONError(.unexpectedByte, offset: position, message: "expected ':', found \(describe(bytes[position]))")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            guard position < end else {
                throw JSONError(.unexpectedEnd, offset: position, message: "object not closed")
            }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return JSONObject(members)
            case let byte:
                throw JSONError(.unexpectedByte, offset: position, message: "expected ',' or '}', found \(describe(byte))")
            }
        }
    }

    /// A byte for an error message: the character if printable ASCII, else hex.
    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}
