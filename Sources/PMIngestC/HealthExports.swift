// pm_stream_health, pm_health_*: a stream's health snapshot, and the affected assets of a
// reconnect event. Boxing only: the snapshot is the core's `StreamHealth`.
import CPMIngest
import PMIngest

/// pm_health: an immutable `StreamHealth` with its strings kept as C strings.
final class HealthRecord {
    let health: StreamHealth
    let lossReasons: [OwnedCString]
    let tokenIds: [OwnedCString]

    init(_ health: StreamHealth) {
        self.health = health
        lossReasons = health.sockets.map { OwnedCString($0.lastLossReason ?? "") }
        tokenIds = health.assets.map { OwnedCString($0.tokenId) }
    }
}

private func record(_ pointer: OpaquePointer?) -> HealthRecord? { Handle.get(pointer, as: HealthRecord.self) }

private func socket(_ pointer: OpaquePointer?, _ index: Int) -> (SocketHealth, OwnedCString)? {
    guard let r = record(pointer), index >= 0, index < r.health.sockets.count, index < r.lossReasons.count else { return nil }
    return (r.health.sockets[index], r.lossReasons[index])
}

private func asset(_ pointer: OpaquePointer?, _ index: Int) -> (AssetHealth, OwnedCString)? {
    guard let r = record(pointer), index >= 0, index < r.health.assets.count, index < r.tokenIds.count else { return nil }
    return (r.health.assets[index], r.tokenIds[index])
}

@c @implementation
public func pm_stream_health(_ stream: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        guard let handle = Handle.get(stream, as: StreamHandle.self) else {
            throw PMError(.invalidArgument, "stream: must not be NULL")
        }
        out.pointee = Handle.retain(HealthRecord(handle.client.health()))
    }
}

@c @implementation
public func pm_health_free(_ health: OpaquePointer?) { Handle.release(health) }
@c @implementation
public func pm_health_reconnects(_ health: OpaquePointer?) -> Int64 { Int64(record(health)?.health.reconnects ?? 0) }
@c @implementation
public func pm_health_gaps(_ health: OpaquePointer?) -> Int64 { Int64(record(health)?.health.gaps ?? 0) }
@c @implementation
public func pm_health_queue_depth(_ health: OpaquePointer?) -> Int64 { Int64(record(health)?.health.queueDepth ?? 0) }
@c @implementation
public func pm_health_queued_bytes(_ health: OpaquePointer?) -> Int64 { Int64(record(health)?.health.queuedBytes ?? 0) }
@c @implementation
public func pm_health_socket_count(_ health: OpaquePointer?) -> Int { record(health)?.health.sockets.count ?? 0 }
@c @implementation
public func pm_health_socket_id(_ health: OpaquePointer?, _ index: Int) -> Int32 {
    socket(health, index).map { Int32(clamping: $0.0.id) } ?? -1
}
@c @implementation
public func pm_health_socket_state(_ health: OpaquePointer?, _ index: Int) -> pm_socket_state {
    switch socket(health, index)?.0.state {
    case .idle?: return PM_SOCKET_IDLE
    case .connecting?: return PM_SOCKET_CONNECTING
    case .open?: return PM_SOCKET_OPEN
    case .backoff?: return PM_SOCKET_BACKOFF
    case .closed?, nil: return PM_SOCKET_CLOSED
    }
}
@c @implementation
public func pm_health_socket_asset_count(_ health: OpaquePointer?, _ index: Int) -> Int { socket(health, index)?.0.assetCount ?? 0 }
@c @implementation
public func pm_health_socket_reconnects(_ health: OpaquePointer?, _ index: Int) -> Int64 {
    Int64(socket(health, index)?.0.reconnects ?? 0)
}
@c @implementation
public func pm_health_socket_last_loss(_ health: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    socket(health, index)?.1.borrowed ?? emptyCString
}
@c @implementation
public func pm_health_asset_count(_ health: OpaquePointer?) -> Int { record(health)?.health.assets.count ?? 0 }
@c @implementation
public func pm_health_asset_token_id(_ health: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    asset(health, index)?.1.borrowed ?? emptyCString
}
@c @implementation
public func pm_health_asset_socket(_ health: OpaquePointer?, _ index: Int) -> Int32 {
    asset(health, index).map { Int32(clamping: $0.0.socket) } ?? -1
}
@c @implementation
public func pm_health_asset_last_event_age_ms(_ health: OpaquePointer?, _ index: Int) -> Int64 {
    asset(health, index)?.0.lastEventAgeMs ?? -1
}
@c @implementation
public func pm_health_asset_continuity(_ health: OpaquePointer?, _ index: Int) -> pm_continuity {
    asset(health, index)?.0.continuity == .live ? PM_CONTINUITY_LIVE : PM_CONTINUITY_AWAITING_SNAPSHOT
}

// MARK: the affected assets of a RECONNECTED event

private func reconnectTokens(_ e: OpaquePointer?) -> [OwnedCString] {
    Handle.get(e, as: EventRecord.self)?.reconnectTokens ?? []
}

@c @implementation
public func pm_event_reconnect_token_count(_ e: OpaquePointer?) -> Int { reconnectTokens(e).count }
@c @implementation
public func pm_event_reconnect_token_id(_ e: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    let tokens = reconnectTokens(e)
    guard index >= 0, index < tokens.count else { return emptyCString }
    return tokens[index].borrowed
}
