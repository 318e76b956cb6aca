import ArgumentParser
import PMIngest

/// `pmingest record`: stream trades into SQLite until interrupted (Ctrl-C, SIGTERM) — the
/// long-running service. Fit for pipes and the journal: a progress line only on a terminal,
/// else one plain line per reconnect, NDJSON with --json, Prometheus metrics with --metrics-file.
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record stream trades (last_trade_price) into SQLite until interrupted.",
        discussion: """
            Tokens, database, stream URL and metrics file may come from --config FILE, a JSON object \
            {"tokens": [...], "db": "...", "ws_url": "...", "metrics_file": "..."}; flags win over it. \
            Stops cleanly (flushing what is buffered) on Ctrl-C or SIGTERM.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Token (asset) ids to subscribe to (or \"tokens\" in --config).") var tokens: [String] = []
    @Option(help: "SQLite database file (or \"db\" in --config).") var db: String?
    @Option(help: "A JSON settings file: tokens, db, ws_url, metrics_file.") var config: String?
    @Option(help: "Stop after this many seconds (default: until Ctrl-C or SIGTERM).") var seconds: Int?
    @Flag(help: "NDJSON output: every stream event, one JSON object per line, then a summary object.") var json = false
    @Option(help: "Write Prometheus text-format metrics to this file, atomically, every --metrics-interval seconds.")
    var metricsFile: String?
    @Option(help: "Seconds between metrics-file rewrites.") var metricsInterval: Int = 5

    /// The settings after merging flags over the config file.
    struct Settings {
        var tokens: [String]
        var db: String
        var wsURL: String
        var metricsFile: String?
    }

    func settings() throws -> Settings {
        let file = try config.map(RecordConfig.load) ?? RecordConfig()
        let tokens = self.tokens.isEmpty ? file.tokens : self.tokens
        if tokens.isEmpty { throw ValidationError("give at least one token id (arguments or \"tokens\" in --config)") }
        guard let db = db ?? file.db else { throw ValidationError("give --db FILE (or \"db\" in --config)") }
        if metricsInterval < 1 { throw ValidationError("--metrics-interval must be at least 1 second") }
        return Settings(tokens: tokens, db: db, wsURL: connection.wsURL ?? file.wsURL ?? connection.streamURL,
                        metricsFile: metricsFile ?? file.metricsFile)
    }

    func run() async throws {
        let settings = try settings()
        Interrupt.install()
        let recorder = try TradeRecorder(database: try Database(DatabaseConfig(path: settings.db)))
        let live = try StreamClient(config: StreamClientConfig(url: settings.wsURL))
        defer { live.close() }
        try live.subscribe(tokenIds: settings.tokens)
        try await live.connectAsync()
        let clock = SystemClock()
        var metrics = RecordMetrics(subscribedTokens: settings.tokens.count, startTimeMs: clock.nowMilliseconds())
        var lastEventMs: Int64?
        var nextMetricsMs = Int64.min
        func publish() throws {
            guard let path = settings.metricsFile else { return }
            try recorder.flush()
            let health = live.health()
            metrics.events = live.stats.events
            metrics.tradesStored = recorder.recorded
            metrics.tradesSkipped = recorder.skipped
            metrics.reconnects = health.reconnects
            metrics.gaps = health.gaps
            metrics.lastEventAgeMs = lastEventMs.map { max(0, clock.nowMilliseconds() - $0) }
            try RecordMetrics.write(metrics.text, to: path)
        }
        let deadline = seconds.map { clock.nowMilliseconds() + Int64($0) * 1000 }
        while !Interrupt.requested, deadline.map({ clock.nowMilliseconds() < $0 }) ?? true {
            if let event = try live.next(timeoutMs: 200) {
                try recorder.record(event)
                if json {
                    Output.ndjson(Output.eventJSON(event))
                } else if case .reconnected(let info) = event, !Output.stdoutIsTTY {
                    print("reconnected (\(info.reason), attempt \(info.attempt)): \(info.tokenIds.count) tokens")
                    fflushStdout()
                }
                if case .reconnected = event {} else { lastEventMs = clock.nowMilliseconds() }
            }
            if !json { Output.progress("recorded \(recorder.recorded) trades") }
            let now = clock.nowMilliseconds()
            if now >= nextMetricsMs {
                try publish()
                nextMetricsMs = now + Int64(metricsInterval) * 1000
            }
        }
        try recorder.flush()
        try publish()
        Output.endProgress()
        if json {
            var o = Output.Fields(type: "summary")
            o.add("db", settings.db); o.add("trades_stored", Int64(recorder.recorded))
            o.add("trades_skipped", Int64(recorder.skipped)); o.add("events", Int64(live.stats.events))
            o.add("reconnects", Int64(live.health().reconnects))
            Output.ndjson(o.value)
        } else {
            print("recorded \(recorder.recorded) trades into \(settings.db)")
        }
    }
}
