// pm_metadata_sync_with_progress: MetadataSync's per-page progress across the C boundary.
import CPMIngest
import PMIngest

/// The C progress callback and its userdata, carried into the core's Sendable closure.
private struct SyncProgressCallback: @unchecked Sendable {
    let callback: pm_metadata_sync_progress_cb
    let userdata: UnsafeMutableRawPointer?

    /// Pages and markets are counts (never negative); `max(0, _)` keeps the conversion total.
    func call(pages: Int, markets: Int) {
        callback(max(0, pages), max(0, markets), userdata)
    }
}

@c @implementation
public func pm_metadata_sync_with_progress(_ client: OpaquePointer?, _ store: OpaquePointer?,
                                           _ progress: pm_metadata_sync_progress_cb?, _ userdata: UnsafeMutableRawPointer?,
                                           _ outMarkets: UnsafeMutablePointer<Int>?, _ outInserted: UnsafeMutablePointer<Int>?,
                                           _ outUpdated: UnsafeMutablePointer<Int>?,
                                           _ outUnchanged: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        for out in [outMarkets, outInserted, outUpdated, outUnchanged] { out?.pointee = 0 }
        guard let handle = Handle.get(client, as: ClientHandle.self) else {
            throw PMError(.invalidArgument, "client: must not be NULL")
        }
        guard let storeHandle = Handle.get(store, as: StoreHandle.self) else {
            throw PMError(.invalidArgument, "store: must not be NULL")
        }
        var onPage: (@Sendable (Int, Int) -> Void)?
        if let progress {
            let callback = SyncProgressCallback(callback: progress, userdata: userdata)
            onPage = { callback.call(pages: $0, markets: $1) }
        }
        let sync = MetadataSync(client: handle.client, database: storeHandle.database)
        let report = try handle.run { [onPage] in try await sync.sync(onPage: onPage) }
        outMarkets?.pointee = report.markets
        outInserted?.pointee = report.inserted
        outUpdated?.pointee = report.updated
        outUnchanged?.pointee = report.unchanged
    }
}
