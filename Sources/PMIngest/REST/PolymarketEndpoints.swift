/// Base URLs of the three public Polymarket APIs. Configurable so the client can point at a proxy,
/// a recorder, or the project's fake server; may carry a path prefix (".../s/abc/clob").
public struct PolymarketEndpoints: Sendable, Equatable {
    public var gammaURL: String
    public var clobURL: String
    public var dataURL: String

    public static let production = PolymarketEndpoints(
        gammaURL: "https://gamma-api.polymarket.com",
        clobURL: "https://clob.polymarket.com",
        dataURL: "https://data-api.polymarket.com")

    public init(gammaURL: String, clobURL: String, dataURL: String) {
        self.gammaURL = PolymarketEndpoints.trimmed(gammaURL)
        self.clobURL = PolymarketEndpoints.trimmed(clobURL)
        self.dataURL = PolymarketEndpoints.trimmed(dataURL)
    }

    /// Checks that each base is an http(s) URL without spaces, query or fragment.
    public func validated() throws -> PolymarketEndpoints {
        for (name, url) in [("gamma_url", gammaURL), ("clob_url", clobURL), ("data_url", dataURL)] {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw PMError(.invalidArgument, "\(name): must start with http:// or https://, got \"\(url)\"")
            }
            if url.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 >= 0x7f }) {
                throw PMError(.invalidArgument, "\(name): must not contain spaces, control characters, '?' or '#'")
            }
        }
        return self
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}

/// Percent-encoding for query values (RFC 3986 unreserved characters pass through).
enum URLQuery {
    static func encode(_ value: String) -> String {
        // Token ids, condition ids and numbers are already URL-safe: skip the rebuild.
        if value.utf8.allSatisfy(isUnreserved) { return value }
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let digits = Array("0123456789ABCDEF".utf8)
                out.append("%")
                out.append(Character(Unicode.Scalar(digits[Int(byte >> 4)])))
                out.append(Character(Unicode.Scalar(digits[Int(byte & 0xf)])))
            }
        }
        return out
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static func string(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}
