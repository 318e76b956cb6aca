/// ISO-8601 timestamps as Gamma sends them ("2026-12-31T12:00:00Z", "2026-12-31T12:00:00.123+02:00",
/// "2026-12-31"), to milliseconds since the epoch. Written by hand: the core has no Foundation.
@_spi(PMIngestTools) public enum ISO8601 {
    /// Milliseconds since the epoch, or nil when the text is not one of the accepted forms.
    public static func milliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int64? {
            guard start >= 0, start + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in start..<(start + count) {
                let c = b[i]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                value = value * 10 + Int64(c - 0x30)
            }
            return value
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        var ms = daysFromCivil(year: year, month: month, day: day) * 86_400_000
        if b.count == 10 { return ms }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b.count >= 16,
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
              hour < 24, minute < 60 else { return nil }
        ms += hour * 3_600_000 + minute * 60_000
        var i = 16
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let second = digits(i + 1, 2), second < 61 else { return nil }
            ms += min(second, 59) * 1000
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var scale: Int64 = 100
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    ms += Int64(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { return nil }
            }
        }
        guard i < b.count else { return ms }  // no zone: read as UTC, as Gamma means it
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            return i + 1 == b.count ? ms : nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = digits(i + 1, 2), oh < 24 else { return nil }
            var om: Int64 = 0
            if i + 3 == b.count {
                // "+02"
            } else if i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"), let m = digits(i + 4, 2) {
                om = m
            } else if i + 5 == b.count, let m = digits(i + 3, 2) {
                om = m
            } else {
                return nil
            }
            return ms - sign * (oh * 3_600_000 + om * 60_000)
        default:
            return nil
        }
    }

    /// "2026-12-31T12:00:00.123Z" (milliseconds shown only when not zero).
    public static func format(milliseconds: Int64) -> String {
        let days = floorDiv(milliseconds, 86_400_000)
        let remainder = milliseconds % 86_400_000  // no multiplication: Int64.min must not overflow
        let msOfDay = remainder < 0 ? remainder + 86_400_000 : remainder
        let (year, month, day) = civilFromDays(days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(msOfDay / 3_600_000, 2)):"
            + "\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2))"
        if msOfDay % 1000 != 0 { text += "." + pad(msOfDay % 1000, 3) }
        return text + "Z"
    }

    /// Division rounding toward negative infinity (b > 0); no negation, so Int64.min cannot trap.
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return a % b != 0 && a < 0 ? q - 1 : q
    }

    /// Inverse of `daysFromCivil`.
    static func civilFromDays(_ days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
