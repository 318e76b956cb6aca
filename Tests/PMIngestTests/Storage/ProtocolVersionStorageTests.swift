import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// token_meta.protocol_version (schema step 3): stored, compared, read back; unknown for rows
/// written before the step; a foreign value is corruption, not a guess.
@Suite struct ProtocolVersionStorageTests {
    @Test func storedReadBackAndPartOfTheContent() throws {
        let repository = TokenMetaRepository(try Database(.inMemory()))
        var meta = try Sample.meta()
        #expect(try repository.upsert(meta) == .inserted)
        #expect(try repository.get(tokenId: Sample.token)?.protocolVersion == nil)   // unknown stays unknown
        meta.protocolVersion = .v2
        #expect(try repository.upsert(meta) == .updated)
        #expect(try repository.upsert(meta) == .unchanged)
        #expect(try repository.get(tokenId: Sample.token)?.protocolVersion == .v2)
        meta.protocolVersion = .v1
        #expect(try repository.upsert(meta) == .updated)
        #expect(try repository.list().map(\.protocolVersion) == [.v1])
    }

    @Test func schema2RowsAreUpgradedToUnknownAndAForeignValueIsCorrupt() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("schema2.db")
        do {
            let old = try SQLiteConnection(path: path)
            try old.execute(DatabaseOpeningTests.schema1)
            try old.execute("""
                INSERT INTO token_meta (token_id, condition_id, neg_risk, active, closed, updated_at_ms)
                VALUES ('\(Sample.token)', '\(Sample.condition)', 0, 1, 0, 1);
                PRAGMA user_version = 2;
                """)
        }
        let database = try Database(DatabaseConfig(path: path))
        #expect(try Migrations.pragmaInteger(try SQLiteConnection(path: path), "user_version") >= 3)
        #expect(try TokenMetaRepository(database).get(tokenId: Sample.token)?.protocolVersion == nil)
        #expect(try TokenMetaRepository(database).get(tokenId: Sample.token)?.active == true)

        // The column refuses anything but 'v1'/'v2'; a row that has one anyway (CHECK off) is corrupt.
        let raw = try SQLiteConnection(path: path)
        #expect(throws: (any Error).self) {
            try raw.execute("UPDATE token_meta SET protocol_version = 'v3'")
        }
        try raw.execute("PRAGMA ignore_check_constraints = ON; UPDATE token_meta SET protocol_version = 'v3'")
        #expect { try TokenMetaRepository(database).get(tokenId: Sample.token) } throws: {
            ($0 as? PMError)?.kind == .corrupt && ($0 as? PMError)?.message.contains("protocol_version") == true
        }
    }
}
