// pm_client_fetch_events, pm_gamma_event(s)_*, and the protocol-version accessors of markets and
// token metadata: the Gamma additions of the REST surface. Boxing only, no logic.
import CPMIngest
import PMIngest

/// pm_gamma_event: the event, its strings, and its markets as pm_market records it lends.
final class GammaEventRecord {
    let event: GammaEvent
    let id: OwnedCString
    let slug, title: OwnedCString?
    let markets: [MarketRecord]

    init(_ event: GammaEvent) {
        self.event = event
        id = OwnedCString(event.id)
        slug = OwnedCString(event.slug)
        title = OwnedCString(event.title)
        markets = event.markets.map(MarketRecord.init)
    }
}

/// pm_gamma_events
final class GammaEventList {
    let records: [GammaEventRecord]
    init(_ events: [GammaEvent]) { records = events.map(GammaEventRecord.init) }
}

private func protocolCString(_ version: MarketProtocolVersion?) -> UnsafePointer<CChar>? {
    switch version {
    case .v1: return staticCString("v1")
    case .v2: return staticCString("v2")
    case nil: return emptyCString
    }
}

@c @implementation
public func pm_market_protocol_version(_ m: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let record = Handle.get(m, as: MarketRecord.self) else { return emptyCString }
    return protocolCString(record.market.protocolVersion)
}

@c @implementation
public func pm_token_meta_protocol_version(_ m: OpaquePointer?) -> UnsafePointer<CChar>? {
    protocolCString(Handle.get(m, as: TokenMetaRecord.self)?.meta.protocolVersion)
}

@c @implementation
public func pm_client_fetch_events(_ client: OpaquePointer?, _ closed: Bool, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        guard let handle = Handle.get(client, as: ClientHandle.self) else {
            throw PMError(.invalidArgument, "client: must not be NULL")
        }
        let events = try handle.run { try await handle.client.fetchEvents(closed: closed) }
        out.pointee = Handle.retain(GammaEventList(events))
    }
}

@c @implementation
public func pm_gamma_events_count(_ events: OpaquePointer?) -> Int { Handle.get(events, as: GammaEventList.self)?.records.count ?? 0 }

@c @implementation
public func pm_gamma_events_at(_ events: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let list = Handle.get(events, as: GammaEventList.self), index >= 0, index < list.records.count else { return nil }
    return Handle.borrow(list.records[index])
}

@c @implementation
public func pm_gamma_events_free(_ events: OpaquePointer?) { Handle.release(events) }

private func event(_ pointer: OpaquePointer?) -> GammaEventRecord? { Handle.get(pointer, as: GammaEventRecord.self) }

@c @implementation
public func pm_gamma_event_id(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.id.borrowed ?? emptyCString }
@c @implementation
public func pm_gamma_event_slug(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.slug.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_gamma_event_title(_ e: OpaquePointer?) -> UnsafePointer<CChar>? { event(e)?.title.borrowedOrEmpty ?? emptyCString }
@c @implementation
public func pm_gamma_event_active(_ e: OpaquePointer?) -> Bool { event(e)?.event.active ?? false }
@c @implementation
public func pm_gamma_event_closed(_ e: OpaquePointer?) -> Bool { event(e)?.event.closed ?? false }
@c @implementation
public func pm_gamma_event_market_count(_ e: OpaquePointer?) -> Int { event(e)?.markets.count ?? 0 }

@c @implementation
public func pm_gamma_event_market_at(_ e: OpaquePointer?, _ index: Int) -> OpaquePointer? {
    guard let record = event(e), index >= 0, index < record.markets.count else { return nil }
    return Handle.borrow(record.markets[index])
}
