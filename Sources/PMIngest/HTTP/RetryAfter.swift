/// `Retry-After` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date. Parsed by hand because the
/// core has no Foundation.
package enum RetryAfter {
    /// Milliseconds to wait counted from `nowMilliseconds` (wall clock), or nil when the value is
    /// neither form. A date in the past means 0. Huge values saturate rather than overflow.
    package static func delayMilliseconds(_ value: String, nowMilliseconds: Int64) -> Int64? {
        let text = trimmed(value)
        if let seconds = deltaSeconds(text) {
            return seconds * 1000
        }
        if let date = HTTPDate.parse(text) {
            let (delay, overflow) = date.subtractingReportingOverflow(nowMilliseconds)
            if overflow { return date > nowMilliseconds ? Int64.max : 0 }
            return max(0, delay)
        }
        return nil
    }

    /// 1*DIGIT, capped at about 31,000 years so `* 1000` cannot overflow.
    static func deltaSeconds(_ text: Substring) -> Int64? {
        guard !text.isEmpty else { return nil }
        let cap: Int64 = 1_000_000_000_000
        var value: Int64 = 0
        for byte in text.utf8 {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = min(cap, value * 10 + Int64(byte - 48))
        }
        return value
    }

    static func trimmed(_ value: String) -> Substring {
        var text = Substring(value)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}

/// HTTP-date (RFC 9110 §5.6.7) in its three forms, to epoch milliseconds:
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`
/// and asctime `Sun Nov  6 08:49:37 1994`. Names are matched case-insensitively.
package enum HTTPDate {
    private static let shortDays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    package static func parse<S: StringProtocol>(_ text: S) -> Int64? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "\t" })
            .map { $0.lowercased() }
        let day: Int, month: Int, year: Int, time: (Int, Int, Int)
        if tokens.count == 6 && tokens[5] == "gmt" {
            guard let d = number(tokens[1], digits: 2...2), let m = monthNumber(tokens[2]),
                  let t = clock(tokens[4]) else { return nil }
            if shortDays.contains(tokens[0]), let y = number(tokens[3], digits: 4...4) {
                year = y                                  // IMF-fixdate
            } else if longDays.contains(tokens[0]), let yy = number(tokens[3], digits: 2...2) {
                year = yy < 70 ? 2000 + yy : 1900 + yy    // RFC 850: a two-digit year
            } else {
                return nil
            }
            (day, month, time) = (d, m, t)
        } else if tokens.count == 5 && shortDays.contains(tokens[0]) {
            guard let m = monthNumber(tokens[1]), let d = number(tokens[2], digits: 1...2),
                  let t = clock(tokens[3]), let y = number(tokens[4], digits: 4...4) else { return nil }
            (day, month, year, time) = (d, m, y, t)       // asctime
        } else {
            return nil
        }
        guard day >= 1 && day <= daysIn(month: month, year: year) else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(time.0 * 3600 + time.1 * 60 + time.2)
        return seconds * 1000
    }

    private static func monthNumber(_ token: String) -> Int? {
        months.firstIndex(of: token).map { $0 + 1 }
    }

    private static func number(_ token: String, digits: ClosedRange<Int>) -> Int? {
        let bytes = Array(token.utf8)
        guard digits.contains(bytes.count), bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// `HH:MM:SS` (second 60 allowed: a leap second).
    private static func clock(_ token: String) -> (Int, Int, Int)? {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = number(String(parts[0]), digits: 2...2),
              let m = number(String(parts[1]), digits: 2...2), let s = number(String(parts[2]), digits: 2...2),
              h < 24, m < 60, s <= 60 else { return nil }
        return (h, m, s)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
