/// One executed trade, as stored and handed out by pmingest.
///
/// The Data API has no trade id, so `id` is derived: SHA-256 over the identifying fields
/// (transaction hash, token, side, size, price, wallet, timestamp). The same trade fetched twice
/// gets the same id and is stored once.
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
        try FieldCheck.identifier(tokenId, field: "token_id")
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

    /// Version-tagged so the derivation can change later without colliding with old ids.
    static func deriveID(tokenId: String, side: TradeSide, price: Price, size: Size, timestampMs: Int64,
                         transactionHash: String?, proxyWallet: String?) -> String {
        let canonical = "pmtrade1|\(transactionHash ?? "")|\(tokenId)|\(side.rawValue)|\(size)|\(price)|\(proxyWallet ?? "")|\(timestampMs)"
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
        guard !value.isEmpty else { throw PMError(.invalidArgument, "\(field): must not be empty") }
        guard value.utf8.count <= 256 else { throw PMError(.invalidArgument, "\(field): longer than 256 bytes") }
        for byte in value.utf8 where byte <= 0x20 || byte >= 0x7f {
            throw PMError(.invalidArgument, "\(field): contains a space, control or non-ASCII character")
        }
    }

    /// Free text: any UTF-8 except NUL.
    static func text(_ value: String, field: String) throws {
        guard !value.utf8.contains(0) else { throw PMError(.invalidArgument, "\(field): contains a NUL byte") }
    }
}
