import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// The libFuzzer targets' properties (Properties/, shared with Fuzz/) in the normal test suite:
/// every seed in Fuzz/corpus/<target> and every input that once broke a target, kept in
/// Fuzz/regressions/<target>, is replayed through the same checks — no sanitizer build needed.
@Suite struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ kind: String, _ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let directory = fuzzDirectory.appendingPathComponent(kind).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test(arguments: FuzzProperty.targets.map(\.name))
    func corpusAndRegressionsKeepTheirProperties(target: String) throws {
        let check = try #require(FuzzProperty.targets.first { $0.name == target }?.check)
        let seeds = try Self.inputs("corpus", target)
        #expect(!seeds.isEmpty, "no seed corpus in Fuzz/corpus/\(target): the replay would prove nothing")
        for (name, bytes) in try seeds + Self.inputs("regressions", target) {
            let violation = bytes.withUnsafeBufferPointer { check($0) }
            #expect(violation == nil, "\(target) \(name): \(violation ?? "")")
        }
    }

    /// Each finding of `make fuzz`, stated directly (the inputs are also in Fuzz/regressions).
    @Test func findingsStayFixed() {
        // fuzz-decimal: garbage after an overflowing integer part is malformed, not "out of range".
        #expect(throws: DecimalError.malformed("99999999999999999999x")) { try DecimalParse.micros("99999999999999999999x") }
        #expect(throws: DecimalError.outOfRange("99999999999999999999")) { try DecimalParse.micros("99999999999999999999") }
        // fuzz-stream/fuzz-trades: sides are BUY/SELL in ASCII case only; Unicode upper-casing
        // turned "ſell" (U+017F) into SELL on the escaped and REST paths but not the byte path.
        #expect(TradeSide(wire: "sElL") == .sell && TradeSide(wire: "buy") == .buy)
        #expect(TradeSide(wire: "\u{17F}ell") == nil && TradeSide(wire: "SELLS") == nil && TradeSide(wire: "") == nil)
        let frame = MarketChannelParser().parse(#"{"event_type":"last_trade_price","asset_id":"1","price":"0.5","side":"\u017fell","timestamp":1}"#)
        #expect(frame.events.isEmpty && frame.malformed == 1)
    }

    /// The references the properties trust, on hand-worked values: an oracle that is wrong the
    /// same way as the code would hide every finding.
    @Test func referencesAgreeWithHandWorkedValues() {
        func wire(_ text: String) -> DecimalReference.Outcome {
            var copy = text
            return copy.withUTF8 { DecimalReference.wireDecimal($0) }
        }
        func literal(_ text: String) -> DecimalReference.NumberLiteral? {
            var copy = text
            return copy.withUTF8 { DecimalReference.jsonNumber($0) }
        }
        #expect(wire("0.95") == .value(950_000) && wire(".48") == .value(480_000) && wire("5.") == .value(5_000_000))
        #expect(wire("0.1234567") == .malformed && wire("-1") == .malformed && wire(".") == .malformed && wire("") == .malformed)
        #expect(wire("9223372036854.775807") == .value(Int64.max) && wire("9223372036854.775808") == .outOfRange)
        #expect(wire("000000000000000000000001") == .value(1_000_000))
        #expect(literal("01") == nil && literal("1.") == nil && literal("+1") == nil && literal("1e") == nil)
        let rounded: [(String, DecimalReference.Outcome)] = [
            ("0.30000000000000004", .value(300_000)), ("5e-7", .value(0)), ("5.000001e-7", .value(1)),
            ("1.5e-6", .value(2)), ("2.5e-6", .value(2)), ("-0.01", .value(-10_000)), ("1e-400", .value(0)),
            ("1e400", .outOfRange), ("-9223372036854.775808", .value(Int64.min)), ("9223372036854.7758075", .outOfRange),
        ]
        for (text, expected) in rounded {
            #expect(literal(text).map(DecimalReference.roundedMicros) == expected, "\(text)")
        }
        let integers: [(String, DecimalReference.Outcome)] = [
            ("1e3", .value(1000)), ("1.0", .value(1)), ("-0", .value(0)), ("1.5", .notAnInteger),
            ("1e-400", .notAnInteger), ("1e400", .outOfRange), ("9223372036854775808", .outOfRange),
            ("-9223372036854775808", .value(Int64.min)),
        ]
        for (text, expected) in integers {
            #expect(literal(text).map(DecimalReference.int64) == expected, "\(text)")
        }
        #expect(FieldReference.side(.string("sElL")) == .value(.sell) && FieldReference.side(.string("")) == .absent)
        #expect(FieldReference.side(.string("\u{17F}ell")) == .refused)
    }

    /// The field-by-field checks report a decoded value that does not match its JSON.
    @Test func propertiesReportAMismatch() throws {
        let object = try #require(try JSONParser().parse(#"{"asset_id":"1","bids":[{"price":"0.4","size":"1"}],"asks":null}"#).objectValue)
        let right = OrderBook(tokenId: "1", bids: [OrderBookLevel(price: Price(micros: 400_000), size: Size(micros: 1_000_000))], asks: [])
        let wrongPrice = OrderBook(tokenId: "1", bids: [OrderBookLevel(price: Price(micros: 500_000), size: Size(micros: 1_000_000))], asks: [])
        let wrongToken = OrderBook(tokenId: "2", bids: right.bids, asks: [])
        #expect(FuzzProperty.bookProblem(right, object) == nil)
        #expect(FuzzProperty.bookProblem(wrongPrice, object) != nil)
        #expect(FuzzProperty.bookProblem(wrongToken, object) != nil)
        let trade = LastTradeEvent(tokenId: "1", price: Price(micros: 500_000), side: .buy, timestampMs: 1)
        let tradeObject = try #require(try JSONParser().parse(#"{"asset_id":"1","price":"0.5","side":"SELL","timestamp":1}"#).objectValue)
        #expect(FuzzProperty.eventProblem(.lastTradePrice(trade), tradeObject) != nil)
    }
}
