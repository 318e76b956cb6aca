import ArgumentParser
@_spi(PMIngestTools) import PMIngest

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List Gamma events with their markets (every keyset page; open ones unless --closed).")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Resolved (closed) events instead of open ones.") var closed = false
    @Flag(help: "NDJSON output: one JSON object per line.") var json = false

    func run() async throws {
        let (client, transport) = try connection.client()
        defer { transport.shutdown() }
        let events = try await client.fetchEvents(closed: closed)
        if json {
            Output.ndjson(events.map(Self.eventJSON))
            return
        }
        print(Output.table(["event", "slug", "markets", "versions", "title"], events.map { event in
            [event.id, event.slug ?? "", String(event.markets.count),
             Set(event.markets.map(\.protocolVersion.rawValue)).sorted().joined(separator: ","), event.title ?? ""]
        }))
        print("\(events.count) \(closed ? "closed" : "open") events, \(events.reduce(0) { $0 + $1.markets.count }) markets")
    }

    static func eventJSON(_ e: GammaEvent) -> JSONValue {
        var members: [JSONObject.Member] = [
            .init(key: "id", value: .string(e.id)), .init(key: "active", value: .bool(e.active)),
            .init(key: "closed", value: .bool(e.closed)), .init(key: "markets", value: .array(e.markets.map(Output.marketJSON))),
        ]
        if let s = e.slug { members.append(.init(key: "slug", value: .string(s))) }
        if let t = e.title { members.append(.init(key: "title", value: .string(t))) }
        return .object(JSONObject(members))
    }
}
