/// Schema 2: every stored trade's id re-derived with `PolymarketTrade.deriveID`.
///
/// Schema 1 ids hashed the identifying fields joined by '|', which identifiers may contain, so
/// two different trades could share an id. The derivation now length-prefixes each field; a
/// trade stored under its old id and fetched again after the upgrade would otherwise be stored a
/// second time. Runs inside the migration transaction: all rows or none.
enum TradeIDMigration {
    /// Rows read per round: bounded memory however large the table.
    static let chunkSize = 2_000

    static func rederiveIDs(_ connection: SQLiteConnection) throws {
        // By rowid, which an id update leaves in place, so every row is visited exactly once; the
        // chunk is read in full before any of it is written (no update under an open cursor).
        let select = try connection.statement("""
            SELECT rowid, token_id, side, price_micros, size_micros, timestamp_ms, transaction_hash, proxy_wallet
            FROM trades WHERE rowid > ?1 ORDER BY rowid LIMIT ?2
            """)
        // Two rows can only get the same new id when every identifying field is equal: the same
        // trade twice, which one row represents (REPLACE keeps the later).
        let update = try connection.statement("UPDATE OR REPLACE trades SET id = ?2 WHERE rowid = ?1")
        var after = Int64.min
        var chunk: [(rowid: Int64, id: String)] = []
        chunk.reserveCapacity(chunkSize)
        repeat {
            chunk.removeAll(keepingCapacity: true)
            select.reset()
            select.bind(1, after)
            select.bind(2, Int64(chunkSize))
            while try select.step() {
                guard let rowid = select.int64(0), let token = select.string(1), let sideText = select.string(2),
                      let side = TradeSide(wire: sideText), let price = select.int64(3), let size = select.int64(4),
                      let timestamp = select.int64(5) else {
                    throw PMError(.corrupt, "trades table holds a row with missing or invalid fields")
                }
                chunk.append((rowid, PolymarketTrade.deriveID(
                    tokenId: token, side: side, price: Price(micros: price), size: Size(micros: size),
                    timestampMs: timestamp, transactionHash: select.string(6), proxyWallet: select.string(7))))
            }
            select.reset()
            for row in chunk {
                update.reset()
                update.bind(1, row.rowid)
                update.bind(2, row.id)
                try update.step()
            }
            if let last = chunk.last { after = last.rowid }
        } while chunk.count == chunkSize
    }
}
