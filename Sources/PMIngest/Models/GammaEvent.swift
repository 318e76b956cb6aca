/// A Gamma event: a group of related markets (one question per market), as `/events` lists them.
public struct GammaEvent: Sendable, Hashable {
    /// Gamma's numeric id (sent as a string).
    public let id: String
    public let slug: String?
    public let title: String?
    public let active: Bool
    public let closed: Bool
    /// The event's markets, decoded like any Gamma market (the `version` rule included).
    public let markets: [Market]

    public init(id: String, slug: String?, title: String?, active: Bool, closed: Bool, markets: [Market]) {
        self.id = id
        self.slug = slug
        self.title = title
        self.active = active
        self.closed = closed
        self.markets = markets
    }
}
