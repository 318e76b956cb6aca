/// One executed trade, as stored and handed out by pmingest.
///
/// The Data API has no trade id, so `id` is derived: SHA-256 over the identifying fields
/// (transaction hash, token, side, size, price, wallet, timestamp), each length-prefixed. The same
/// trade fetched twice gets the same id and is stored once; different trades never share one.
public struct PolymarketTrade: Sendable, Hashable, Identifiable {
    public let id: String
    /// The CLOB token (asset) id: a decimal string of up to 78 digits.
    public let tokenId: String
    /// The market's condition id (0x + 64 hex), when known.
    public let conditionId: String?
    public let side: TradeSide
    public let price: Price
    public let size: Size
    /// Execution time, milliseconds since the epoch (Data API seconds are converted on ingest).
    public let timestampMs: Int64
    public let transactionHash: String?
    public let proxyWallet: String?
    public let outcome: String?

    /// - Throws: `PMError(.invalidArgument)` naming the field, for an empty or malformed token id,
    ///   a non-positive timestamp, or text with control characters.
    public init(tokenId: String, conditionId: String? = nil, side: TradeSide, price: Price, size: Size,
                timestampMs: Int64, transactionHash: String? = nil, proxyWallet: String? = nil,
                outcome: String? = nil) throws {
        try FieldCheck.tokenID(tokenId)
        let conditionId = FieldCheck.nonEmpty(conditionId)
        let transactionHash = FieldCheck.nonEmpty(transactionHash)
        let proxyWallet = FieldCheck.nonEmpty(proxyWallet)
        let outcome = FieldCheck.nonEmpty(outcome)
        if let conditionId { try FieldCheck.identifier(conditionId, field: "condition_id") }
        if let transactionHash { try FieldCheck.identifier(transactionHash, field: "transaction_hash") }
        if let proxyWallet { try FieldCheck.identifier(proxyWallet, field: "proxy_wallet") }
        if let outcome { try FieldCheck.text(outcome, field: "outcome") }
        guard timestampMs > 0 else { throw PMError(.invalidArgument, "timestamp_ms: must be > 0, got \(timestampMs)") }
        guard price.micros >= 0 else { throw PMError(.invalidArgument, "price: must be >= 0, got \(price)") }
        guard size.micros >= 0 else { throw PMError(.invalidArgument, "size: must be >= 0, got \(size)") }
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.side = side
        self.price = price
        self.size = size
        self.timestampMs = timestampMs
        self.transactionHash = transactionHash
        self.proxyWallet = proxyWallet
        self.outcome = outcome
        self.id = PolymarketTrade.deriveID(tokenId: tokenId, side: side, price: price, size: size,
                                           timestampMs: timestampMs, transactionHash: transactionHash,
                                           proxyWallet: proxyWallet)
    }

    /// Rebuilds a stored trade without re-deriving its id.
    init(storedID: String, tokenId: String, conditionId: String?, side: TradeSide, price: Price, size: Size,
         timestampMs: Int64, transactionHash: String?, proxyWallet: String?, outcome: String?) {
        self.id = storedID
        self.tokenId = tokenId
        self.conditionId = conditionId
        self.side = side
        self.price = price
        self.size = size
        self.timestampMs = timestampMs
        self.transactionHash = transactionHash
        self.proxyWallet = proxyWallet
        self.outcome = outcome
    }

    /// Version-tagged ("pmtrade2") so a new derivation never collides with old ids. Each field
    /// enters as `|<UTF-8 byte count>:<bytes>`: identifiers may contain '|', so without the
    /// lengths one field's content could pass for a field boundary and two different trades share
    /// an id ("pmtrade1" joined the bare fields; schema 2 re-derived the stored ids). Prices and
    /// sizes enter as integer micro-units: exact, and cheaper than formatting decimals per row.
    static func deriveID(tokenId: String, side: TradeSide, price: Price, size: Size, timestampMs: Int64,
                         transactionHash: String?, proxyWallet: String?) -> String {
        var canonical = "pmtrade2"
        canonical.reserveCapacity(280)
        func field(_ value: String) {
            canonical += "|"
            canonical += String(value.utf8.count)
            canonical += ":"
            canonical += value
        }
        field(transactionHash ?? "")
        field(tokenId)
        field(side == .buy ? "BUY" : "SELL")
        field(String(size.micros))
        field(String(price.micros))
        field(proxyWallet ?? "")
        field(String(timestampMs))
        return SHA256.hex(canonical.utf8)
    }
}

/// Field validation shared by the models: clear messages that name the field.
enum FieldCheck {
    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    /// Ids are printable ASCII without spaces (token ids, condition ids, hashes, wallets).
    static func identifier(_ value: String, field: String) throws {
        var value = value
        let verdict = value.withUTF8 { bytes -> Int in   // a tight loop: this runs per stored row
            if bytes.isEmpty { return 1 }
            if bytes.count > 256 { return 2 }
            for byte in bytes where byte <= 0x20 || byte >= 0x7f { return 3 }
            return 0
        }
        switch verdict {
        case 0: return
        case 1: throw PMError(.invalidArgument, "\(field): must not be empty")
        case 2: throw PMError(.invalidArgument, "\(field): longer than 256 bytes")
        default: throw PMError(.invalidArgument, "\(field): contains a space, control or non-ASCII character")
        }
    }

    /// Free text: any UTF-8 except NUL.
    static func text(_ value: String, field: String) throws {
        guard !value.utf8.contains(0) else { throw PMError(.invalidArgument, "\(field): contains a NUL byte") }
    }
}
