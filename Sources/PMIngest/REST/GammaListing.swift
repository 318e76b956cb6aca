/// One Gamma listing (markets or events), walked the way docs/wire/gamma.md describes:
/// - primary: the keyset endpoint `/<name>/keyset`, following `after_cursor` = the previous page's
///   `next_cursor` until a page comes without one (missing, null or ""). Page length proves
///   nothing (the service clamps `limit` silently), and an empty page with a cursor is followed.
/// - fallback: the legacy offset endpoint `/<name>`, only when the FIRST keyset page answers 404
///   or 410 (the endpoint is not there). Later in a walk those statuses are errors.
/// A cursor that comes back, or a page of only already-seen items, is refused (`.parse`) rather
/// than looped on; items seen twice are kept once. Both walks are bounded by the client's
/// `ListingBudget`, as every listing was before keyset paging.
struct GammaResource<Item: Sendable>: Sendable {
    /// "markets" or "events": the paths and the keyset envelope's array key.
    let name: String
    /// "market" or "event", for messages.
    let noun: String
    let decode: @Sendable (JSONValue, String) throws -> Item
    /// What tells two items apart (a market's condition id, an event's id).
    let key: @Sendable (Item) -> String

    static var markets: GammaResource<Market> {
        GammaResource<Market>(name: "markets", noun: "market", decode: { try WireDecoding.gammaMarket($0, what: $1) },
                              key: { $0.conditionId })
    }

    static var events: GammaResource<GammaEvent> {
        GammaResource<GammaEvent>(name: "events", noun: "event", decode: { try WireDecoding.gammaEvent($0, what: $1) },
                                  key: { $0.id })
    }
}

extension PolymarketClient {
    /// The keyset endpoints' documented page maximum: pages are requested at most this large.
    static let keysetMaxPageSize = 100

    /// Every item of one listing with these filters (each a query pair), keeping those `keep`
    /// accepts, within `listingBudget`.
    func listGamma<Item>(_ resource: GammaResource<Item>, filters: [(String, String)],
                         keep: @escaping @Sendable (Item) -> Bool,
                         onPage: (@Sendable (Int, Int) -> Void)?) async throws -> [Item] {
        let budget = listingBudget
        let progress = ListingProgress()
        return try await TimeLimit.run(milliseconds: budget.timeoutMs, expired: {
            let (pages, seen) = progress.snapshot
            return PMError(.timeout, "Gamma \(resource.name) listing: did not end within its time budget of \(budget.timeoutMs) ms "
                           + "(listing_timeout_ms): \(Self.count(pages, "page")) done, \(Self.count(seen, resource.noun)) seen")
        }) {
            var walk = ListingWalk(resource: resource, budget: budget, progress: progress, keep: keep, onPage: onPage)
            if let items = try await self.keysetWalk(&walk, filters: filters) { return items }
            walk = ListingWalk(resource: resource, budget: budget, progress: progress, keep: keep, onPage: onPage)
            return try await self.offsetWalk(&walk, filters: filters)
        }
    }

    /// The keyset walk; nil when the keyset endpoint is not there (its first page is 404/410).
    private func keysetWalk<Item>(_ walk: inout ListingWalk<Item>, filters: [(String, String)]) async throws -> [Item]? {
        let path = "/\(walk.resource.name)/keyset"
        var cursor: String?
        var followed = Set<String>()
        while true {
            try walk.checkPageBudget(next: cursor.map { "next cursor \"\(Self.short($0))\"" } ?? "first page")
            var query = filters + [("limit", String(min(marketsPageSize, Self.keysetMaxPageSize)))]
            if let cursor { query.append(("after_cursor", cursor)) }
            let what = "GET \(path) page \(walk.pages + 1)"
            let response = try await transport.send(HTTPRequest(url: "\(endpoints.gammaURL)\(path)?\(URLQuery.string(query))",
                                                                endpoint: "gamma.\(walk.resource.name)"))
            if response.status == 404 || response.status == 410 {
                if walk.pages == 0 { return nil }
                throw PMError(.http, "\(what): HTTP \(response.status) in the middle of a keyset listing, after "
                              + "\(Self.count(walk.pages, "page")): \(WireDecoding.excerpt(response.body))", httpStatus: response.status)
            }
            let (rows, next) = try WireDecoding.keysetPage(try Self.jsonBody(response, what: what), key: walk.resource.name, what: what)
            let fresh = try walk.take(rows, what: what)
            guard let next, !next.isEmpty else { return walk.items }
            if !rows.isEmpty && fresh == 0 {
                throw PMError(.parse, "\(what): every one of its \(Self.count(rows.count, walk.resource.noun)) was already listed, "
                              + "yet it names a next cursor: the listing does not advance (refused rather than looping)")
            }
            guard followed.insert(next).inserted else {
                throw PMError(.parse, "\(what): next_cursor \"\(Self.short(next))\" was already followed: the server's cursors "
                              + "cycle (refused rather than looping)")
            }
            cursor = next
            try Task.checkCancellation()
        }
    }

    /// The legacy offset walk: bare-array pages; only an empty page (or one with nothing new,
    /// a server ignoring `offset`) ends it.
    private func offsetWalk<Item>(_ walk: inout ListingWalk<Item>, filters: [(String, String)]) async throws -> [Item] {
        let path = "/\(walk.resource.name)"
        var offset = 0
        while true {
            try walk.checkPageBudget(next: "next offset \(offset)")
            let query = filters + [("limit", String(marketsPageSize)), ("offset", String(offset))]
            let what = "GET \(path) offset \(offset)"
            let response = try await transport.send(HTTPRequest(url: "\(endpoints.gammaURL)\(path)?\(URLQuery.string(query))",
                                                                endpoint: "gamma.\(walk.resource.name)"))
            let rows = try WireDecoding.rows(try Self.jsonBody(response, what: what), what: "Gamma \(walk.resource.name)")
            let fresh = try walk.take(rows, what: "Gamma \(walk.resource.name)")
            if rows.isEmpty || fresh == 0 { return walk.items }
            // Grows by a non-empty page every time, so no offset is asked twice; a server that
            // answers fresh ids forever is stopped by the budgets.
            offset += rows.count
            try Task.checkCancellation()
        }
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    private static func short(_ cursor: String) -> String { ResponseExcerpt.truncated(cursor, limit: 60) }
}

/// The state of one walk: pages so far, the items kept, the keys seen (so nothing is kept twice).
struct ListingWalk<Item: Sendable> {
    let resource: GammaResource<Item>
    let budget: ListingBudget
    let progress: ListingProgress
    let keep: @Sendable (Item) -> Bool
    let onPage: (@Sendable (Int, Int) -> Void)?
    private(set) var pages = 0
    private(set) var items: [Item] = []
    private var seen = Set<String>()

    init(resource: GammaResource<Item>, budget: ListingBudget, progress: ListingProgress,
         keep: @escaping @Sendable (Item) -> Bool, onPage: (@Sendable (Int, Int) -> Void)?) {
        self.resource = resource
        self.budget = budget
        self.progress = progress
        self.keep = keep
        self.onPage = onPage
    }

    /// `.tooLarge` when the next page would exceed the page budget (it is then not requested).
    func checkPageBudget(next: String) throws {
        guard pages < budget.maxPages else {
            throw PMError(.tooLarge, "Gamma \(resource.name) listing: did not end within its budget of "
                          + "\(PolymarketClient.count(budget.maxPages, "page")) (listing_max_pages): "
                          + "\(PolymarketClient.count(pages, "page")), \(PolymarketClient.count(seen.count, resource.noun)) seen "
                          + "(\(items.count) kept), \(next)")
        }
    }

    /// Decodes one page's rows and keeps the new ones; returns how many were new.
    mutating func take(_ rows: [JSONValue], what: String) throws -> Int {
        var fresh = 0
        for (index, row) in rows.enumerated() {
            let item = try resource.decode(row, "\(what) row \(index)")
            if seen.insert(resource.key(item)).inserted {
                fresh += 1
                // The service may ignore filters: apply them here too.
                if keep(item) { items.append(item) }
            }
        }
        pages += 1
        progress.update(pages: pages, seen: seen.count)
        onPage?(pages, items.count)
        return fresh
    }
}

/// What a listing has seen so far, for the message of its time-budget error (read from the timer's task).
final class ListingProgress: @unchecked Sendable {
    private let lock = Lock()
    private var pages = 0
    private var seen = 0

    func update(pages: Int, seen: Int) { lock.withLock { (self.pages, self.seen) = (pages, seen) } }
    var snapshot: (pages: Int, seen: Int) { lock.withLock { (pages, seen) } }
}

extension WireDecoding {
    /// One keyset page: `{"<key>":[…],"next_cursor":…}`. A missing or null cursor is the end; the
    /// array must be there (null counts as empty).
    static func keysetPage(_ body: JSONValue, key: String, what: String) throws -> ([JSONValue], String?) {
        let envelope = try object(body, what: what)
        return try field(what) { () throws(JSONFieldError) -> ([JSONValue], String?) in
            guard let rows = envelope[key] else { throw JSONFieldError(field: key, problem: .missing) }
            let list = rows.isNull ? [] : try rows.array(field: key)
            return (list, try envelope.optionalString("next_cursor"))
        }
    }
}
