import Foundation
@_spi(PMIngestTools) @testable import PMIngest

/// A fresh temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "pmingest-tests-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

enum Sample {
    static let token = "71321045679252212594626385532706912750332728571942532289631379312455583992563"
    static let otherToken = "52114319501245915516055106046884209969926127482827954674443846427813813222426"
    static let condition = "0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1"

    static func trade(token: String = token, price: String = "0.55", size: String = "50", at ms: Int64 = 1_767_225_600_000,
                      side: TradeSide = .buy, tx: String? = "0x2222", wallet: String? = "0x1234") throws -> PolymarketTrade {
        try PolymarketTrade(tokenId: token, conditionId: condition, side: side, price: Price(price), size: Size(size),
                            timestampMs: ms, transactionHash: tx, proxyWallet: wallet, outcome: "Yes")
    }

    static func meta(token: String = token, tick: String = "0.01") throws -> PolymarketTokenMeta {
        PolymarketTokenMeta(tokenId: token, conditionId: condition, question: "Will X happen by 2026-12-31?",
                            outcome: "Yes", outcomeIndex: 0, tickSize: try Price(tick), minOrderSize: try Size("5"),
                            negRisk: false, active: true, closed: false, endDateMs: 1_798_718_400_000,
                            marketSlug: "will-x-happen-by-2026")
    }
}
