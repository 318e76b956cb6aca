/// Wire timestamps in epoch SECONDS of the history walks (the v2 trade tape, price history), to
/// the library's milliseconds, refusing a value in the wrong unit: milliseconds read as seconds
/// would put a trade thousands of years in the future and, stored by a backfill, corrupt every
/// later age check and coverage record. (The legacy recent-trades tape keeps its own conversion:
/// there the stale-trade guard's future check drops such a row and keeps the rest of the page.)
enum EpochSeconds {
    /// Largest accepted seconds value: 99,999,999,999 s is the year 5138. A current
    /// millisecond stamp (~1.8e12) is above it, any plausible seconds stamp far below.
    static let maximum: Int64 = 99_999_999_999

    /// - Throws: `.parse` naming `what` for a negative value or one above `maximum`.
    static func milliseconds(_ seconds: Int64, what: String) throws -> Int64 {
        guard seconds >= 0 else { throw PMError(.parse, "\(what): timestamp \(seconds) is negative") }
        guard seconds <= maximum else {
            throw PMError(.parse, "\(what): timestamp \(seconds) is not epoch seconds (above \(maximum), the year 5138: "
                          + "milliseconds sent where seconds are expected?)")
        }
        return seconds * 1000
    }
}
