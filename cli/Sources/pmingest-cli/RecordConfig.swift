@_spi(PMIngestTools) import PMIngest

/// `record --config FILE`: the recorder's settings in a small JSON file, for services (a systemd
/// unit names one file instead of a long command line). Every key is optional; unknown keys are
/// refused (a misspelt key must not be silently ignored). Command-line flags win over the file.
///
///     {"tokens": ["7132…", "5210…"], "db": "/var/lib/pmingest/trades.db",
///      "ws_url": "wss://ws-subscriptions-clob.polymarket.com/ws/market",
///      "metrics_file": "/run/pmingest/metrics.prom"}
struct RecordConfig: Equatable {
    static let keys = ["tokens", "db", "ws_url", "metrics_file"]

    var tokens: [String] = []
    var db: String?
    var wsURL: String?
    var metricsFile: String?

    static func load(_ path: String) throws -> RecordConfig {
        try parse(try readAll(path), what: path)
    }

    static func parse(_ bytes: [UInt8], what: String) throws -> RecordConfig {
        let value: JSONValue
        do { value = try JSONParser().parse(bytes) } catch {
            throw PMError(.invalidArgument, "\(what): not JSON: \(error)")
        }
        guard case .object(let object) = value else {
            throw PMError(.invalidArgument, "\(what): expected a JSON object, got \(value.kindName)")
        }
        var config = RecordConfig()
        for member in object.members {
            func string() throws -> String {
                guard let text = member.value.stringValue, !text.isEmpty else {
                    throw PMError(.invalidArgument, "\(what): \"\(member.key)\" must be a non-empty string")
                }
                return text
            }
            switch member.key {
            case "tokens":
                guard let items = member.value.arrayValue else {
                    throw PMError(.invalidArgument, "\(what): \"tokens\" must be an array of token id strings")
                }
                config.tokens = try items.map { item in
                    guard let token = item.stringValue, !token.isEmpty else {
                        throw PMError(.invalidArgument, "\(what): \"tokens\" must hold only non-empty strings")
                    }
                    return token
                }
            case "db": config.db = try string()
            case "ws_url": config.wsURL = try string()
            case "metrics_file": config.metricsFile = try string()
            default:
                throw PMError(.invalidArgument,
                              "\(what): unknown key \"\(member.key)\" (known: \(keys.joined(separator: ", ")))")
            }
        }
        return config
    }
}
