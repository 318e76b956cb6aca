extension StreamClient {
    /// Default of `watchResolutions`'s interval: one Gamma round a minute.
    public static let defaultResolutionPollMs = 60_000

    /// Confirms resolutions of the subscribed markets by polling Gamma every `intervalMs` (the
    /// first round at once), because the socket's `market_resolved` is not reliably delivered and
    /// never replayed. Each market's resolution comes out of `next`/`events` as one
    /// `StreamEvent.marketResolved`, whichever of the socket and the poll saw it first (see
    /// `ResolutionWatcher` for what counts as resolved). Works before or after `connect`; a
    /// second call replaces the first; `intervalMs` 0 stops polling. `close()` stops it too.
    /// Each Gamma request is bounded by the client's `HTTPConfig.deadlineMs`.
    /// - Throws: `.invalidArgument` for an interval below 100 ms (other than 0); `.cancelled`
    ///   after `close()`.
    public func watchResolutions(client: any ResolutionSource, intervalMs: Int = StreamClient.defaultResolutionPollMs) throws(PMError) {
        if intervalMs == 0 {
            stopWatchingResolutions()
            return
        }
        guard intervalMs >= ResolutionWatcher.minimumIntervalMs else {
            throw PMError(.invalidArgument, "resolution poll interval: must be 0 (off) or >= "
                          + "\(ResolutionWatcher.minimumIntervalMs) ms, got \(intervalMs)")
        }
        guard !pool.queue.isClosed else { throw EventQueue.closedError }
        resolutionWatch.replace(with: ResolutionWatcher(source: client, intervalMs: intervalMs, pool: pool))
    }

    /// Stops the resolution poll, if any (the same as `watchResolutions` with interval 0).
    public func stopWatchingResolutions() { resolutionWatch.replace(with: nil) }

    /// Whether a resolution poll is running.
    public var isWatchingResolutions: Bool { resolutionWatch.current != nil }
}
