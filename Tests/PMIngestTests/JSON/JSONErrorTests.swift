import Testing
@_spi(PMIngestTools) @testable import PMIngest

@Suite struct JSONErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: [UInt8]
        let kind: JSONError.Kind
        let offset: Int
        init(_ text: String, _ kind: JSONError.Kind, _ offset: Int) { self.init(Array(text.utf8), kind, offset) }
        init(_ input: [UInt8], _ kind: JSONError.Kind, _ offset: Int) {
            self.input = input
            self.kind = kind
            self.offset = offset
        }
        var testDescription: String { String(decoding: input, as: UTF8.self) }
    }

    static let cases: [Case] = [
        // end of input
        Case("", .unexpectedEnd, 0),
        Case("   ", .unexpectedEnd, 3),
        Case("[", .unexpectedEnd, 1),
        Case("[1,", .unexpectedEnd, 3),
        Case("[1", .unexpectedEnd, 2),
        Case(#"{"a""#, .unexpectedEnd, 4),
        Case(#"{"a":"#, .unexpectedEnd, 5),
        Case(#"{"a":1"#, .unexpectedEnd, 6),
        Case(#"{"#, .unexpectedEnd, 1),
        Case(#""abc"#, .unexpectedEnd, 4),
        Case(#""ab\"#, .unexpectedEnd, 4),
        Case(#""\u12"#, .unexpectedEnd, 5),
        Case(#""\uD800"#, .unexpectedEnd, 7),
        Case("tru", .unexpectedEnd, 3),
        Case("-", .unexpectedEnd, 1),
        Case("1.", .unexpectedEnd, 2),
        Case("1e+", .unexpectedEnd, 3),
        // unexpected bytes
        Case("[1 2]", .unexpectedByte, 3),
        Case("[1,]", .unexpectedByte, 3),
        Case(#"{"a":1,}"#, .unexpectedByte, 7),
        Case(#"{"a" 1}"#, .unexpectedByte, 5),
        Case("{a:1}", .unexpectedByte, 1),
        Case("{1:1}", .unexpectedByte, 1),
        Case(#"{"a":1 "b":2}"#, .unexpectedByte, 7),
        Case("[1}", .unexpectedByte, 2),
        Case("nul", .unexpectedEnd, 3),
        Case("nulL", .unexpectedByte, 3),
        Case("True", .unexpectedByte, 0),
        Case("'a'", .unexpectedByte, 0),
        Case("+1", .unexpectedByte, 0),
        Case(".5", .unexpectedByte, 0),
        Case("NaN", .unexpectedByte, 0),
        Case("Infinity", .unexpectedByte, 0),
        Case("[\u{0C}1]", .unexpectedByte, 1),           // form feed is not JSON whitespace
        Case([0xFF], .unexpectedByte, 0),
        Case([0x5B, 0xC3, 0xA9, 0x5D], .unexpectedByte, 1),  // non-ASCII outside a string
        // numbers
        Case("01", .invalidNumber, 1),
        Case("-01", .invalidNumber, 2),
        Case("-a", .invalidNumber, 1),
        Case("1.e5", .invalidNumber, 2),
        Case("1ea", .invalidNumber, 2),
        Case("[1.x]", .invalidNumber, 3),
        // escapes and surrogates
        Case(#""\x""#, .invalidEscape, 1),
        Case(#""ab\'""#, .invalidEscape, 3),
        Case(#""\u12G4""#, .invalidEscape, 5),
        Case(#""\U0041""#, .invalidEscape, 1),
        Case(#""\uD800""#, .loneSurrogate, 1),
        Case(#""x\uD83Dabcdef""#, .loneSurrogate, 2),
        Case(#""\uD83D\n""#, .loneSurrogate, 1),
        Case(#""\uD83D\u0041""#, .loneSurrogate, 1),
        Case(#""\uD83D\uD83D""#, .loneSurrogate, 1),
        Case(#""\uDE00""#, .loneSurrogate, 1),
        Case(#""\uDFFF\uD800""#, .loneSurrogate, 1),
        // UTF-8
        Case([0x22, 0xC3, 0x22], .invalidUTF8, 1),                 // truncated 2-byte sequence
        Case([0x22, 0x80, 0x22], .invalidUTF8, 1),                 // lone continuation byte
        Case([0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, 1),           // overlong "/"
        Case([0x22, 0xC1, 0xBF, 0x22], .invalidUTF8, 1),           // overlong
        Case([0x22, 0xE0, 0x80, 0xAF, 0x22], .invalidUTF8, 1),     // overlong 3-byte
        Case([0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, 1),     // encoded surrogate U+D800
        Case([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], .invalidUTF8, 1), // overlong 4-byte
        Case([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, 1), // above U+10FFFF
        Case([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], .invalidUTF8, 1),
        Case([0x22, 0xFE, 0x22], .invalidUTF8, 1),
        Case([0x22, 0x61, 0xE2, 0x82, 0x22], .invalidUTF8, 2),     // truncated € before the quote
        Case([0x22, 0xE2, 0x82], .invalidUTF8, 1),                 // truncated at end of input
        Case([0x22, 0x5C, 0x6E, 0xC3, 0x28, 0x22], .invalidUTF8, 3), // after an escape (slow path)
        Case([0x22] + Array("abcdefghijklmnop".utf8) + [0xFF, 0x22], .invalidUTF8, 17),
        // control characters
        Case("\"a\nb\"", .controlCharacter, 2),
        Case("\"\t\"", .controlCharacter, 1),
        Case([0x22, 0x00, 0x22], .controlCharacter, 1),
        Case("\"\\n\u{1F}\"", .controlCharacter, 3),
        Case("\"abcdefghijklmnop\u{7}\"", .controlCharacter, 17),
        // trailing data
        Case("1 2", .trailingData, 2),
        Case("{} x", .trailingData, 3),
        Case("[]]", .trailingData, 2),
        Case("nullx", .trailingData, 4),
        Case("1.5.2", .trailingData, 3),
        Case("\"a\"\"b\"", .trailingData, 3),
        Case([0x31, 0x00], .trailingData, 1),
        Case("0x10", .trailingData, 1),
    ]

    @Test(arguments: cases) func errorKindAndOffset(_ testCase: Case) {
        let error = JSONTestSupport.error(testCase.input)
        #expect(error?.kind == testCase.kind)
        #expect(error?.offset == testCase.offset)
        #expect(error.map { !$0.message.isEmpty } == true)
    }

    @Test func tooDeepIsReported() {
        let error = JSONTestSupport.error(String(repeating: "[", count: 100))
        #expect(error?.kind == .tooDeep)
        #expect(error?.offset == 64)
    }

    @Test func descriptionNamesOffsetAndProblem() {
        let error = JSONTestSupport.error("[1,]")
        #expect(error?.description == "invalid JSON at byte 3: expected a value, found ']'")
        #expect(JSONTestSupport.error([0x5B, 0x01])?.message == "expected a value, found byte 0x01")
    }

    @Test func offsetsCountTheByteOrderMark() {
        #expect(JSONTestSupport.error([0xEF, 0xBB, 0xBF] + Array("[1,]".utf8))?.offset == 6)
        #expect(JSONTestSupport.error([0xEF, 0xBB])?.kind == .unexpectedByte)
    }
}
