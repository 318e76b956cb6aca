#if canImport(Glibc)
import Glibc
#endif
import PMIngest

/// The recorder's health as a Prometheus text-format file (node_exporter's textfile collector
/// reads such files; so can a shell). Rewritten atomically: written to a temporary file in the
/// same directory, then renamed over the old one, so a reader never sees a half-written file.
struct RecordMetrics: Equatable {
    var events = 0
    var tradesStored = 0
    var tradesSkipped = 0
    var reconnects = 0
    var gaps = 0
    var subscribedTokens = 0
    /// Milliseconds since the last stream event, nil before the first one.
    var lastEventAgeMs: Int64?
    var startTimeMs: Int64 = 0

    /// The exposition text (version 0.0.4), one HELP/TYPE pair per metric.
    var text: String {
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        let age = lastEventAgeMs.map { Self.seconds($0) } ?? "NaN"
        return metric("pmingest_record_events_total", "counter", "Stream events received.", String(events))
            + metric("pmingest_record_trades_stored_total", "counter", "Trades written to the database.", String(tradesStored))
            + metric("pmingest_record_trades_skipped_total", "counter", "Trade prints without a side or size.", String(tradesSkipped))
            + metric("pmingest_record_reconnects_total", "counter", "Stream re-connections.", String(reconnects))
            + metric("pmingest_record_gaps_total", "counter", "Continuity gaps (reconnected events).", String(gaps))
            + metric("pmingest_record_last_event_age_seconds", "gauge",
                     "Seconds since the last stream event (NaN before the first).", age)
            + metric("pmingest_record_subscribed_tokens", "gauge", "Tokens subscribed to.", String(subscribedTokens))
            + metric("pmingest_record_start_time_seconds", "gauge", "Start time of the recorder, seconds since the epoch.",
                     Self.seconds(startTimeMs))
    }

    /// Milliseconds as decimal seconds ("12.345"), exact.
    static func seconds(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let magnitude = ms.magnitude
        let fraction = String(magnitude % 1000)
        return sign + String(magnitude / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Writes `text` to `path` atomically (temporary file + rename).
    static func write(_ text: String, to path: String) throws {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot write \(temporary)") }
        var ok = true
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty, ok {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                ok = false
            } else {
                bytes = bytes.dropFirst(count)
            }
        }
        let error = failure("cannot write \(temporary)")
        close(fd)
        guard ok else {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let renameError = failure("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw renameError
        }
    }

    private static func failure(_ what: String) -> PMError {
        PMError(.cantOpen, "\(what): \(String(cString: strerror(errno)))")
    }
}
