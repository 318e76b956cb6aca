import ArgumentParser
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// `pmingest export`: the store's trades, price history or token metadata as CSV or NDJSON
/// (written here, with the core's exact decimal text) or Parquet (handed to the Python binding's
/// `python -m pmingest export`, which has pyarrow). The columns are the binding's export tables
/// (bindings/python/pmingest/export.py); both writers produce the same CSV and NDJSON.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export trades, price history or token metadata from the store (exact decimals).",
        discussion: """
            CSV: a header line, then one line per row; an absent value is an empty field, an empty string "", \
            a field with a comma, quote or line break is quoted. NDJSON: one object per row with every column \
            (absent = null). Prices and sizes are exact decimal text ("0.95"), times ISO 8601 UTC. Parquet \
            (decimal128(19, 6), timestamp[ns, UTC]) runs `python3 -m pmingest export` ($PMINGEST_PYTHON to \
            choose the interpreter), which needs the pmingest binding and pyarrow: pip install 'pmingest[arrow]'. \
            Trades and price history are listed per --token, in the order given, each oldest first.
            """)

    enum Dataset: String, ExpressibleByArgument, CaseIterable {
        case trades, priceHistory = "price-history", tokenMetadata = "token-metadata"
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case parquet, csv, ndjson }

    @Argument(help: "What to export: trades, price-history or token-metadata.") var dataset: Dataset
    @Option(help: "SQLite database file.") var db: String
    @Option(name: .customLong("token"), help: "Token (asset) id (repeatable; required for trades and price-history).")
    var tokens: [String] = []
    @Option(help: "Only rows at or after this time (ms since the epoch or ISO 8601).") var since: String?
    @Option(help: "Only rows at or before this time (ms since the epoch or ISO 8601).") var until: String?
    @Option(help: "At most this many trades per token.") var limit: Int?
    @Option(help: "parquet, csv or ndjson.") var format: Format
    @Option(help: "Output file (required for parquet; default standard output).") var output: String?

    func validate() throws {
        if dataset != .tokenMetadata && tokens.isEmpty {
            throw ValidationError("export \(dataset.rawValue) needs at least one --token")
        }
        if dataset == .tokenMetadata && (since != nil || until != nil) {
            throw ValidationError("--since/--until apply to trades and price-history only")
        }
        if let limit, dataset != .trades || limit < 1 { throw ValidationError("--limit (>= 1) applies to trades only") }
        if format == .parquet && (output == nil || output == "-") { throw ValidationError("--format parquet needs --output FILE") }
    }

    func run() async throws {
        let fromMs = try ExportTable.time(since, option: "--since") ?? Int64.min
        let toMs = try ExportTable.time(until, option: "--until") ?? Int64.max
        if format == .parquet {
            try ParquetDelegate.run(arguments: pythonArguments())
            return
        }
        let database = try Database(DatabaseConfig(path: db))
        let table: ExportTable
        switch dataset {
        case .trades:
            let repository = TradeRepository(database)
            table = ExportTable.trades(try tokens.flatMap { try repository.trades(tokenId: $0, fromMs: fromMs, toMs: toMs, limit: limit) })
        case .priceHistory:
            let repository = PriceHistoryRepository(database)
            table = ExportTable.priceHistory(try tokens.flatMap { try repository.points(tokenId: $0, fromMs: fromMs, toMs: toMs) })
        case .tokenMetadata:
            let wanted = Set(tokens)
            table = ExportTable.tokenMetas(try TokenMetaRepository(database).list().filter { wanted.isEmpty || wanted.contains($0.tokenId) })
        }
        let sink = try ExportSink(path: output)
        defer { sink.close() }
        if format == .csv {
            try sink.write(table.csvHeader())
            for row in table.rows { try sink.write(ExportTable.csvLine(row)) }
        } else {
            for row in table.rows { try sink.write(table.ndjsonLine(row)) }
        }
        try sink.finish()
    }

    /// The same export for `python -m pmingest export` (only the options given).
    func pythonArguments() -> [String] {
        var arguments = ["-m", "pmingest", "export", dataset.rawValue, "--db", db]
        for token in tokens { arguments += ["--token", token] }
        if let since { arguments += ["--since", since] }
        if let until { arguments += ["--until", until] }
        if let limit { arguments += ["--limit", String(limit)] }
        return arguments + ["--format", format.rawValue, "--output", output ?? "-"]
    }
}

/// Where CSV/NDJSON lines go: a file (created or truncated) or standard output.
final class ExportSink {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String?

    init(path: String?) throws {
        if let path, path != "-" {
            guard let opened = fopen(path, "w") else {
                throw PMError(.cantOpen, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            file = opened
            self.path = path
        } else {
            // A stream of its own on a copy of fd 1 (the global `stdout` is shared mutable state).
            let copy = dup(STDOUT_FILENO)
            guard copy >= 0, let opened = fdopen(copy, "w") else {
                throw PMError(.storage, "cannot write standard output: \(String(cString: strerror(errno)))")
            }
            file = opened
            self.path = nil
        }
    }

    func write(_ line: String) throws {
        if fputs(line, file) < 0 { throw PMError(.storage, "cannot write \(path ?? "standard output"): \(String(cString: strerror(errno)))") }
    }

    /// Flushes; a failed flush (a full disk) is an error, not a short file.
    func finish() throws {
        if fflush(file) != 0 { throw PMError(.storage, "cannot write \(path ?? "standard output"): \(String(cString: strerror(errno)))") }
    }

    func close() { fclose(file) }
}
