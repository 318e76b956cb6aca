import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct JSONParserTests {
    @Test func scalarsAtTopLevel() throws {
        #expect(try JSONValue(parsing: "null") == .null)
        #expect(try JSONValue(parsing: "true") == .bool(true))
        #expect(try JSONValue(parsing: " false ") == .bool(false))
        #expect(try JSONValue(parsing: "\"x\"") == .string("x"))
        #expect(try JSONValue(parsing: "-0") == .number(JSONNumber("-0")!))
        #expect(try JSONValue(parsing: "\t\r\n 12.5e-3 \n").numberValue?.text == "12.5e-3")
    }

    @Test func numbersKeepTheirLiteralText() throws {
        for literal in ["0", "-0", "0.30000000000000004", "1E2", "1e+2", "-1.5E-7", "123456789012345678901234567890", "0.0"] {
            #expect(try JSONValue(parsing: literal).numberValue?.text == literal)
            #expect(try JSONValue(parsing: "[\(literal)]")[0]?.numberValue?.text == literal)
        }
        #expect(JSONValue.number(JSONNumber("1.0")!) != .number(JSONNumber("1")!))
    }

    @Test func numberGrammarValidation() {
        for valid in ["0", "-0", "1", "10", "1.5", "1e5", "1E-5", "-0.0e+0"] { #expect(JSONNumber(valid) != nil, "\(valid)") }
        for invalid in ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", "NaN", "Infinity", " 1", "1 ", "0x10", "1.5.2", "--1"] {
            #expect(JSONNumber(invalid) == nil, "\(invalid)")
        }
    }

    @Test func containersAndNesting() throws {
        let value = try JSONValue(parsing: #" { "a" : [1, {"b": null}, []], "c": {} , "d":"e" } "#)
        #expect(value["a"]?[0]?.numberValue?.text == "1")
        #expect(value["a"]?[1]?["b"] == .null)
        #expect(value["a"]?[2] == .array([]))
        #expect(value["c"] == .object(JSONObject()))
        #expect(value["d"]?.stringValue == "e")
        #expect(value["missing"] == nil)
        #expect(value["a"]?[3] == nil)
        #expect(value["a"]?[-1] == nil)
        #expect(value[0] == nil)
        #expect(value["a"]?["x"] == nil)
        #expect(value == ["d": "e", "c": [:], "a": [1, ["b": nil], []]])
    }

    @Test func objectKeepsWireOrderAndLastDuplicateWins() throws {
        let value = try JSONValue(parsing: #"{"z":1,"a":2,"z":3}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "z"])
        #expect(object.count == 3)
        #expect(object["z"] == 3)
        #expect(object.contains("a"))
        #expect(!object.contains("b"))
        #expect(value.serialized() == #"{"z":1,"a":2,"z":3}"#)
        // Map equality: order ignored, duplicates resolved by lookup.
        #expect(value == ["a": 2, "z": 3])
        #expect(value != ["a": 2, "z": 1])
        #expect(value != ["a": 2])
        #expect(JSONValue.object(["a": 1]) != ["a": 1, "b": 2])
    }

    @Test func stringEscapes() throws {
        let value = try JSONValue(parsing: #""a\"b\\c\/d\be\ff\ng\rh\ti\u0041\u00e9\u20ac\uD83D\uDE00\u0000z""#)
        #expect(value.stringValue == "a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti" + "A\u{E9}\u{20AC}\u{1F600}\u{0}z")
        #expect(try JSONValue(parsing: #""\uDBFF\uDFFF""#).stringValue == "\u{10FFFF}")
        #expect(try JSONValue(parsing: #""\u00E9""#).stringValue == "é")
    }

    @Test func rawUTF8Strings() throws {
        let text = "\"héllo €uro 😀 \u{10FFFF} ascii-long-enough-to-use-the-word-path\""
        #expect(try JSONValue(parsing: text).stringValue == String(text.dropFirst().dropLast()))
        // A long escape-free string crosses the 8-byte fast path at every alignment.
        for length in 0..<40 {
            let body = String(repeating: "a", count: length)
            #expect(try JSONValue(parsing: "\"\(body)\"").stringValue == body)
            #expect(try JSONValue(parsing: "\"\(body)é\(body)\"").stringValue == body + "é" + body)
            #expect(try JSONValue(parsing: "\"\(body)\\n\(body)\"").stringValue == body + "\n" + body)
        }
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
        // Only at the very start.
        #expect(JSONTestSupport.error([0x20, 0xEF, 0xBB, 0xBF, 0x31])?.kind == .unexpectedByte)
    }

    @Test func inputForms() throws {
        let bytes = Array(#"{"k":[true]}"#.utf8)
        let expected: JSONValue = ["k": [true]]
        #expect(try JSONValue(parsing: bytes) == expected)
        #expect(try JSONValue(parsing: bytes[...]) == expected)
        #expect(try JSONValue(parsing: ("xx" + #"{"k":[true]}"#).utf8.dropFirst(2).map { $0 }[...]) == expected)
        #expect(try bytes.withUnsafeBytes { raw in try JSONValue(parsing: raw) } == expected)
        #expect(try bytes.withUnsafeBufferPointer { buffer in try JSONValue(parsing: buffer) } == expected)
        let slice = Array("[[1],[2]]".utf8)[1..<4]   // "[1]" inside a larger array: indices not 0-based
        #expect(try JSONValue(parsing: slice) == [1])
        #expect(try JSONParser(maxDepth: 1).parse("[1]") == [1])
        #expect(throws: JSONError(.unexpectedEnd, offset: 0, message: "expected a value")) {
            try JSONValue(parsing: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        #expect(throws: JSONError.self) { try JSONValue(parsing: [UInt8]()) }
        #expect(throws: JSONError.self) { try JSONValue(parsing: "") }
    }

    @Test func depthLimit() throws {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
        #expect(throws: Never.self) { try JSONValue(parsing: nested(64)) }
        #expect(JSONTestSupport.error(nested(65)) == JSONError(.tooDeep, offset: 64, message: "nesting deeper than 64"))
        #expect(try JSONParser(maxDepth: 0).parse("1") == 1)
        #expect(throws: JSONError.self) { try JSONParser(maxDepth: 0).parse("[]") }
        #expect(JSONParser(maxDepth: 100_000).maxDepth == JSONParser.depthCeiling)
        #expect(JSONParser(maxDepth: -3).maxDepth == 0)
        let objects = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(JSONTestSupport.error(objects)?.kind == .tooDeep)
    }

    @Test func deepestAllowedNestingOnACooperativeThread() async throws {
        // The recursion must fit a small thread stack at the ceiling, also in debug builds.
        let depth = JSONParser.depthCeiling
        let text = String(repeating: #"{"k":["#, count: depth / 2) + "0" + String(repeating: "]}", count: depth / 2)
        let parsed = try await Task.detached { try JSONParser(maxDepth: depth).parse(text) }.value
        #expect(parsed.serialized() == text)
    }

    @Test func accessors() throws {
        let value: JSONValue = ["s": "x", "b": true, "n": 5, "a": [1], "o": ["k": nil], "z": nil]
        #expect(value["s"]?.stringValue == "x")
        #expect(value["s"]?.boolValue == nil)
        #expect(value["b"]?.boolValue == true)
        #expect(value["n"]?.numberValue == JSONNumber(5))
        #expect(value["a"]?.arrayValue == [1])
        #expect(value["o"]?.objectValue?["k"]?.isNull == true)
        #expect(value["z"]?.isNull == true)
        #expect(value["n"]?.isNull == false)
        #expect(value["n"]?.stringValue == nil && value["s"]?.numberValue == nil && value["s"]?.arrayValue == nil)
        #expect(value["s"]?.objectValue == nil)
        #expect(["null", "bool", "number", "string", "array", "object"] ==
            [JSONValue.null, true, 1, "", [], [:]].map(\.kindName))
        var object = JSONObject()
        #expect(object.isEmpty)
        object.append(key: "k", value: 1)
        object.append(key: "k", value: 2)
        #expect(object["k"] == 2 && object.count == 2)
    }

    @Test func serialisationRoundTrips() throws {
        let text = #"{"a":[1,-2.5e3,true,false,null],"s":"q\"\\\n\r\t\u0001é😀","o":{}}"#
        let value = try JSONValue(parsing: text)
        #expect(value.serialized() == text)
        #expect(value.description == text)
        #expect(try JSONValue(parsing: value.serialized()) == value)
        #expect(value["o"]?.objectValue?.description == "{}")
        #expect(JSONNumber(42).description == "42")
    }

    @Test func parsedStringsAreIndependentOfTheInputBuffer() throws {
        var bytes = Array(#"["abcdefghijklmnopqrstuvwxyz", "a\nb"]"#.utf8)
        let value = try JSONValue(parsing: bytes)
        for index in bytes.indices { bytes[index] = 0 }
        #expect(value == ["abcdefghijklmnopqrstuvwxyz", "a\nb"])
    }
}
