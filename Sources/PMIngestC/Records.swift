// Opaque records handed to C. Each keeps its strings as library-owned C strings so accessors can
// lend `const char *` that stay valid for the record's (or its list's) lifetime.
import CPMIngest
import PMIngest

/// pm_store: the database and its repositories.
final class StoreHandle {
    let database: Database
    let trades: TradeRepository
    let watermarks: TradeWatermarkRepository
    let tokenMetas: TokenMetaRepository

    init(_ database: Database) {
        self.database = database
        trades = TradeRepository(database)
        watermarks = TradeWatermarkRepository(database)
        tokenMetas = TokenMetaRepository(database)
    }
}

/// pm_trade
final class TradeRecord {
    let trade: PolymarketTrade
    let id, tokenId, side, price, size: OwnedCString
    let conditionId, transactionHash, proxyWallet, outcome: OwnedCString?

    init(_ trade: PolymarketTrade) {
        self.trade = trade
        id = OwnedCString(trade.id)
        tokenId = OwnedCString(trade.tokenId)
        side = OwnedCString(trade.side.rawValue)
        price = OwnedCString(trade.price.description)
        size = OwnedCString(trade.size.description)
        conditionId = OwnedCString(trade.conditionId)
        transactionHash = OwnedCString(trade.transactionHash)
        proxyWallet = OwnedCString(trade.proxyWallet)
        outcome = OwnedCString(trade.outcome)
    }
}

/// pm_trades
final class TradeList {
    let records: [TradeRecord]
    init(_ trades: [PolymarketTrade]) { records = trades.map(TradeRecord.init) }
}

/// pm_token_meta
final class TokenMetaRecord {
    let meta: PolymarketTokenMeta
    let tokenId, conditionId: OwnedCString
    let question, outcome, tickSize, minOrderSize, marketSlug: OwnedCString?

    init(_ meta: PolymarketTokenMeta) {
        self.meta = meta
        tokenId = OwnedCString(meta.tokenId)
        conditionId = OwnedCString(meta.conditionId)
        question = OwnedCString(meta.question)
        outcome = OwnedCString(meta.outcome)
        tickSize = OwnedCString(meta.tickSize?.description)
        minOrderSize = OwnedCString(meta.minOrderSize?.description)
        marketSlug = OwnedCString(meta.marketSlug)
    }
}

/// pm_token_metas
final class TokenMetaList {
    let records: [TokenMetaRecord]
    init(_ metas: [PolymarketTokenMeta]) { records = metas.map(TokenMetaRecord.init) }
}

/// pm_watermark
final class WatermarkRecord {
    let watermark: TradeWatermark
    let conditionId: OwnedCString

    init(_ watermark: TradeWatermark) {
        self.watermark = watermark
        conditionId = OwnedCString(watermark.conditionId)
    }
}

extension Optional where Wrapped == OwnedCString {
    /// The string, or "" when absent.
    var borrowedOrEmpty: UnsafePointer<CChar> { self?.borrowed ?? emptyCString }
}
