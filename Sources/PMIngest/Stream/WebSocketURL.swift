/// A parsed `ws://` / `wss://` URL: what libwebsockets' client connect needs.
struct WebSocketURL: Sendable, Equatable {
    /// wss: TLS through lws' OpenSSL client.
    let tls: Bool
    /// The host to connect to, without brackets for IPv6 literals.
    let host: String
    let port: Int
    /// Path plus query, starting with "/".
    let path: String

    /// The `Host` header: the host (bracketed for IPv6), plus `:port` when it is not the default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// Parses `ws://host[:port][/path][?query]` or `wss://…`. Fragments, user info and
    /// characters outside printable ASCII are refused (`.invalidArgument`).
    init(_ text: String) throws(PMError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 4096 else {
            throw PMError(.invalidArgument, "WebSocket URL must be 1...4096 bytes")
        }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw PMError(.invalidArgument, "WebSocket URL must be printable ASCII without spaces: \(text)")
        }
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("wss://") {
            tls = true
            rest = text.dropFirst(6)
        } else if lower.hasPrefix("ws://") {
            tls = false
            rest = text.dropFirst(5)
        } else {
            throw PMError(.invalidArgument, "WebSocket URL must start with ws:// or wss://: \(text)")
        }
        if rest.contains("#") { throw PMError(.invalidArgument, "WebSocket URL must not have a fragment: \(text)") }
        let authority: Substring
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            authority = rest[..<slash]
            let tail = String(rest[slash...])
            path = tail.hasPrefix("?") ? "/" + tail : tail
        } else {
            authority = rest
            path = "/"
        }
        if authority.contains("@") { throw PMError(.invalidArgument, "WebSocket URL must not carry user info: \(text)") }
        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw PMError(.invalidArgument, "WebSocket URL has an unclosed IPv6 literal: \(text)")
            }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw PMError(.invalidArgument, "WebSocket URL: bad authority: \(text)") }
                portPart = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw PMError(.invalidArgument, "WebSocket URL has no host: \(text)") }
        host = String(hostPart)
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(portPart), (1...65_535).contains(value) else {
                throw PMError(.invalidArgument, "WebSocket URL has a bad port: \(text)")
            }
            port = value
        } else {
            port = tls ? 443 : 80
        }
    }
}
