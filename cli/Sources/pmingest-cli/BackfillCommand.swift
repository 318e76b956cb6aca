import ArgumentParser
@_spi(PMIngestTools) import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// `pmingest backfill`: the resumable trade backfill from the v2 trade tape into SQLite.
struct Backfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Backfill trades of the stored markets (or --market) from the trade tape into SQLite; resumable.",
        discussion: """
            Walks each market's trades newest first and stores them. Safe to interrupt (even kill -9) \
            and run again: nothing is stored twice and no gap is left; each market's proven range is \
            kept in the database. Run `pmingest sync --db FILE` first to store the markets.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "SQLite database file.") var db: String
    @Option(help: "Oldest trade wanted: an ISO-8601 date or time (2026-01-01, 2026-01-01T00:00:00Z). Default: as far back as the tape goes.")
    var since: String?
    @Option(name: .customLong("market"), help: "A condition id to backfill (repeatable). Default: every market of the stored token metadata.")
    var markets: [String] = []
    @Flag(help: "NDJSON output: one progress object per page, then a summary object.") var json = false

    func run() async throws {
        var sinceMs: Int64?
        if let since {
            guard let ms = ISO8601.milliseconds(since) else {
                throw ValidationError("--since: not an ISO-8601 date or time: \(since)")
            }
            sinceMs = ms
        }
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let backfill = try TradeBackfill(client: client, database: try Database(DatabaseConfig(path: db)), since: sinceMs)
        let bar = BackfillProgressLine(tty: Output.stdoutIsTTY, json: json)
        let report = try await backfill.run(conditionIds: markets.isEmpty ? nil : markets) { bar.show($0) }
        bar.finish()
        if json {
            var o = Output.Fields(type: "backfill")
            o.add("db", db); o.add("markets", Int64(report.markets)); o.add("pages", Int64(report.pages))
            o.add("trades", Int64(report.trades)); o.add("inserted", Int64(report.inserted))
            o.add("combos_skipped", Int64(report.combos))
            Output.ndjson(o.value)
            return
        }
        print("backfilled \(report.markets) markets into \(db): \(report.pages) pages, \(report.trades) trades "
              + "(\(report.inserted) new), \(report.combos) combo rows skipped")
    }
}

/// A progress bar over the markets on a terminal, one plain line per page otherwise (one JSON
/// object per page with --json).
final class BackfillProgressLine: @unchecked Sendable {
    let tty: Bool
    let json: Bool
    private var shown = false

    init(tty: Bool, json: Bool = false) {
        self.tty = tty
        self.json = json
    }

    static func bar(done: Int, of total: Int, width: Int = 24) -> String {
        let filled = total > 0 ? min(width, done * width / total) : width
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    static func line(_ p: TradeBackfillProgress) -> String {
        "market \(p.marketIndex + 1)/\(p.marketCount) \(p.conditionId)  pages \(p.pages)  trades \(p.trades) (\(p.inserted) new)"
    }

    func show(_ p: TradeBackfillProgress) {
        if json {
            var o = Output.Fields(type: "backfill_page")
            o.add("condition_id", p.conditionId); o.add("market_index", Int64(p.marketIndex))
            o.add("market_count", Int64(p.marketCount)); o.add("pages", Int64(p.pages))
            o.add("trades", Int64(p.trades)); o.add("inserted", Int64(p.inserted))
            Output.ndjson(o.value)
        } else if tty {
            Output.progress("\(Self.bar(done: p.marketIndex, of: p.marketCount)) \(Self.line(p))")
            shown = true
        } else {
            print(Self.line(p))
        }
    }

    func finish() { if shown { Output.endProgress() } }
}
