// pm_stream_set_resolution_poll: resolutions confirmed by polling Gamma (StreamClient.watchResolutions).
import CPMIngest
import PMIngest

/// The client's Gamma, holding the C client handle (and so its HTTP thread) for as long as the
/// stream polls, even after pm_client_free().
private struct RetainedClientSource: ResolutionSource {
    let owner: ClientHandle

    func conditionId(forToken tokenId: String) async throws -> String {
        try await owner.client.conditionId(forToken: tokenId)
    }

    func fetchClosedMarkets(conditionIds: [String]) async throws -> [Market] {
        try await owner.client.fetchClosedMarkets(conditionIds: conditionIds)
    }
}

@c @implementation
public func pm_stream_set_resolution_poll(_ stream: OpaquePointer?, _ client: OpaquePointer?, _ intervalMs: Int32) -> pm_status {
    withStatus {
        guard let handle = Handle.get(stream, as: StreamHandle.self) else {
            throw PMError(.invalidArgument, "stream: must not be NULL")
        }
        try handle.requireOpen()
        if intervalMs == 0 {
            handle.client.stopWatchingResolutions()
            return
        }
        guard let owner = Handle.get(client, as: ClientHandle.self) else {
            throw PMError(.invalidArgument, "client: must not be NULL (unless interval_ms is 0)")
        }
        do {
            try handle.client.watchResolutions(client: RetainedClientSource(owner: owner), intervalMs: Int(intervalMs))
        } catch let error as PMError where error.kind == .cancelled {
            throw PMError(.misuse, "stream is closed")
        }
    }
}
