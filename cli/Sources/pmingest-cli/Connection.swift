import ArgumentParser
import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// Where to find Polymarket: flags first, then environment variables, then production.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Gamma API base URL (env PMINGEST_GAMMA_URL).") var gammaURL: String?
    @Option(help: "CLOB API base URL (env PMINGEST_CLOB_URL).") var clobURL: String?
    @Option(help: "Data API base URL (env PMINGEST_DATA_URL).") var dataURL: String?
    @Option(help: "Market-channel WebSocket URL (env PMINGEST_WS_URL).") var wsURL: String?
    @Option(help: "Per-attempt request timeout in milliseconds.") var timeoutMs: Int = 15_000

    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    var endpoints: PolymarketEndpoints {
        let production = PolymarketEndpoints.production
        return PolymarketEndpoints(
            gammaURL: gammaURL ?? Self.environment("PMINGEST_GAMMA_URL") ?? production.gammaURL,
            clobURL: clobURL ?? Self.environment("PMINGEST_CLOB_URL") ?? production.clobURL,
            dataURL: dataURL ?? Self.environment("PMINGEST_DATA_URL") ?? production.dataURL)
    }

    var streamURL: String { wsURL ?? Self.environment("PMINGEST_WS_URL") ?? StreamClientConfig().url }

    /// A client plus its transport (shut down by the caller when done).
    func client() throws -> (PolymarketClient, CurlTransport) {
        var config = HTTPConfig()
        config.totalTimeoutMs = timeoutMs
        let transport = try CurlTransport(config: config)
        return (try PolymarketClient(endpoints: endpoints, transport: transport), transport)
    }
}

/// Ctrl-C or SIGTERM (what systemd and `kill` send): asks long-running commands to stop cleanly.
enum Interrupt {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { _ in Interrupt.flag = 1 }
        signal(SIGTERM) { _ in Interrupt.flag = 1 }
    }

    static var requested: Bool { flag != 0 }
}
