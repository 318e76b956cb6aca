/// Short, single-line renderings of bodies and URLs for error messages. Error bodies behind
/// Cloudflare are often whole HTML pages; a readable line ("Attention Required! | Cloudflare: Sorry,
/// you have been blocked ...") tells the user more than 200 characters of <head> markup.
enum ResponseExcerpt {
    /// At most `limit` characters: an HTML page's title and visible text, or the body as text,
    /// whitespace runs collapsed to one space.
    static func of(_ body: [UInt8], limit: Int = 200) -> String {
        let head = body.prefix(16_384)
        var text = looksLikeHTML(head) ? htmlText(head) : String(decoding: head, as: UTF8.self)
        text = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if text.isEmpty { return body.isEmpty ? "(empty body)" : "(no text)" }
        return truncated(text, limit: limit)
    }

    /// The URL, cut to `limit` characters (Polymarket URLs carry no secrets; this keeps messages short).
    static func shortURL(_ url: String, limit: Int = 120) -> String {
        truncated(url, limit: limit)
    }

    static func truncated(_ text: String, limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    private static func looksLikeHTML(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.prefix(1024)
        return find("<html", in: start) != nil || find("<!doctype html", in: start) != nil
            || find("<title", in: start) != nil
    }

    private static func htmlText(_ bytes: ArraySlice<UInt8>) -> String {
        var title = ""
        var textStart = bytes.startIndex
        if let open = find("<title", in: bytes), let gt = bytes[open...].firstIndex(of: UInt8(ascii: ">")) {
            let rest = bytes[(gt + 1)...]
            let close = find("</title", in: rest) ?? rest.endIndex
            title = decodeEntities(String(decoding: rest[..<close], as: UTF8.self))
                .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
            textStart = close
        }
        if let body = find("<body", in: bytes) { textStart = body }
        let text = decodeEntities(stripTags(bytes[textStart...]))
            .split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if title.isEmpty { return text }
        if text.isEmpty || text.hasPrefix(title) { return text.isEmpty ? title : text }
        return title + ": " + text
    }

    /// Visible text: tags dropped (each becomes a space), script and style contents skipped.
    private static func stripTags(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            guard byte == UInt8(ascii: "<") else {
                out.append(byte)
                i += 1
                continue
            }
            let tag = bytes[i...]
            var skipTo: String?
            if startsCaseInsensitive(tag, "<script") { skipTo = "</script" }
            if startsCaseInsensitive(tag, "<style") { skipTo = "</style" }
            if startsCaseInsensitive(tag, "<!--") { skipTo = "-->" }
            if let skipTo, let end = find(skipTo, in: bytes[(i + 1)...]) { i = end }
            guard let gt = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else { break }
            out.append(32)
            i = gt + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes the few entities error pages use. Hand-rolled on purpose: `String.replacing` lives in
    /// _StringProcessing, which drags 1.3 MB of regex engine into the self-contained .so.
    private static func decodeEntities(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        let entities: [(String, String)] = [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""),
                                            ("&#39;", "'"), ("&apos;", "'"), ("&bull;", "•"), ("&amp;", "&")]
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        scan: while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&") {
                for (entity, replacement) in entities where bytes[i...].starts(with: entity.utf8) {
                    out.append(contentsOf: replacement.utf8)
                    i += entity.utf8.count
                    continue scan
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// ASCII case-insensitive search of a lower-case `needle`.
    private static func find(_ needle: String, in haystack: ArraySlice<UInt8>) -> Int? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first, haystack.count >= pattern.count else { return nil }
        var i = haystack.startIndex
        let last = haystack.endIndex - pattern.count
        while i <= last {
            if lower(haystack[i]) == first && startsCaseInsensitive(haystack[i...], needle) { return i }
            i += 1
        }
        return nil
    }

    private static func startsCaseInsensitive(_ bytes: ArraySlice<UInt8>, _ prefix: String) -> Bool {
        let pattern = prefix.utf8
        guard bytes.count >= pattern.count else { return false }
        return zip(bytes, pattern).allSatisfy { lower($0) == $1 }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
}
