// Swift-API stream decode benchmark: `MarketChannelParser.parse` over the stream corpus
// (bench/stream_corpus.h, one frame per line), frames held in memory, typed exact events built and
// read. Prints `msg_per_s swift_api_decode <n>` (best of runs) and, on stderr, the same `checksum`
// line as bench/stream_decode_simdjson.cpp, so the two are known to decode the same values.
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

func streamDecodeBench(path: String, runs: Int) -> Int32 {
    guard let file = fopen(path, "rb") else {
        print("error: cannot open \(path)")
        return 1
    }
    var data: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if got <= 0 { break }
        data.append(contentsOf: chunk[0..<got])
    }
    fclose(file)
    var frames: [Range<Int>] = []
    var start = 0
    for (index, byte) in data.enumerated() where byte == UInt8(ascii: "\n") {
        frames.append(start..<index)
        start = index + 1
    }
    // The figure: the parser as callers get it. Beside it, for bench/README.md's profile section,
    // the tape path alone (a depth limit below 4 turns the one-pass decoder off; single-object
    // frames decode the same either way).
    let (best, events, checksum) = decodeRate(MarketChannelParser(), data, frames, runs)
    let tape = decodeRate(MarketChannelParser(maxDepth: 3), data, frames, 1)
    print("msg_per_s swift_api_decode \(Int(best))")
    print("msg_per_s swift_api_decode_tape_only \(Int(tape.rate))")
    // The checksum goes to stdout as a "checksum" line (run_stream_decode.sh filters it).
    print("checksum swift_api_decode events \(events) sum \(checksum)")
    return 0
}

func decodeRate(_ parser: MarketChannelParser, _ data: [UInt8], _ frames: [Range<Int>],
                _ runs: Int) -> (rate: Double, events: UInt64, checksum: UInt64) {
    var best = 0.0
    var events: UInt64 = 0
    var checksum: UInt64 = 0
    for _ in 0..<max(runs, 1) {
        events = 0
        checksum = 0
        let began = threadCPUSeconds()
        data.withUnsafeBufferPointer { all in
            for range in frames {
                let outcome = parser.parse(UnsafeBufferPointer(rebasing: all[range]))
                for event in outcome.events {
                    events &+= 1
                    checksum &+= streamChecksum(event)
                }
            }
        }
        best = max(best, Double(frames.count) / (threadCPUSeconds() - began))
    }
    return (best, events, checksum)
}

/// The fields bench/stream_decode_simdjson.cpp sums: timestamps, micro-units, id and hash lengths.
func streamChecksum(_ event: StreamEvent) -> UInt64 {
    func micros(_ price: Price?) -> UInt64 { UInt64(bitPattern: price?.micros ?? 0) }
    func micros(_ size: Size?) -> UInt64 { UInt64(bitPattern: size?.micros ?? 0) }
    var sum: UInt64 = 0
    switch event {
    case .priceChange(let change):
        sum &+= UInt64(bitPattern: change.timestampMs) &+ UInt64(change.conditionId?.utf8.count ?? 0)
        for entry in change.changes {
            sum &+= micros(entry.price) &+ micros(entry.size) &+ micros(entry.bestBid) &+ micros(entry.bestAsk)
            sum &+= UInt64(entry.tokenId.utf8.count) &+ UInt64(entry.hash?.utf8.count ?? 0)
        }
    case .lastTradePrice(let trade):
        sum &+= UInt64(bitPattern: trade.timestampMs) &+ micros(trade.price) &+ micros(trade.size)
        sum &+= UInt64(trade.tokenId.utf8.count) &+ UInt64(trade.conditionId?.utf8.count ?? 0)
    case .book(let book):
        sum &+= UInt64(bitPattern: book.timestampMs ?? 0)
        for level in book.bids { sum &+= micros(level.price) &+ micros(level.size) }
        for level in book.asks { sum &+= micros(level.price) &+ micros(level.size) }
        sum &+= UInt64(book.tokenId.utf8.count) &+ UInt64(book.conditionId?.utf8.count ?? 0)
    default:
        break
    }
    return sum
}

/// The thread's CPU time, as bench/stream_decode_simdjson.cpp measures (the machine is shared).
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
