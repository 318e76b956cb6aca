/// Gamma's view of resolutions, for `ResolutionWatcher` (docs/wire/clob.md "Resolution").
extension PolymarketClient: ResolutionSource {
    /// The markets among `conditionIds` that Gamma reports closed:
    /// `GET {gamma}/markets?condition_ids=…&condition_ids=…&closed=true` — `closed=true` must be
    /// sent, as Gamma applies `closed=false` when it is missing, even to an explicit id list.
    /// - Throws: `.invalidArgument` for an empty id or more than 50 ids (before any request).
    public func fetchClosedMarkets(conditionIds: [String]) async throws -> [Market] {
        if conditionIds.isEmpty { return [] }
        guard conditionIds.count <= ResolutionWatcher.conditionsPerRequest else {
            throw PMError(.invalidArgument, "condition_ids: at most \(ResolutionWatcher.conditionsPerRequest) per request, "
                          + "got \(conditionIds.count)")
        }
        for (index, condition) in conditionIds.enumerated() {
            try FieldCheck.identifier(condition, field: "condition_ids[\(index)]")
        }
        let query = URLQuery.string(conditionIds.map { ("condition_ids", $0) }
                                    + [("closed", "true"), ("limit", String(conditionIds.count))])
        let response = try await transport.send(HTTPRequest(url: "\(endpoints.gammaURL)/markets?\(query)", endpoint: "gamma.markets"))
        let body = try Self.jsonBody(response, what: "GET /markets closed")
        let wanted = Set(conditionIds.map { $0.lowercased() })
        return try WireDecoding.gammaMarkets(body).filter { $0.closed && wanted.contains($0.conditionId.lowercased()) }
    }
}
