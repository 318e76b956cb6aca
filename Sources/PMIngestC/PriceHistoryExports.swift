// pm_client_fetch_price_history(ies), pm_price_points_*, pm_store_upsert/query_price_points.
// Boxing only: windows, paging and storage are the core's.
import CPMIngest
import PMIngest

/// pm_price_points: the points and their strings, made once (accessors lend them).
final class PricePointList {
    let points: [PricePoint]
    let tokens: [OwnedCString]
    let prices: [OwnedCString]

    init(_ points: [PricePoint]) {
        self.points = points
        tokens = points.map { OwnedCString($0.tokenId) }
        prices = points.map { OwnedCString($0.price.description) }
    }

    func inRange(_ index: Int) -> Bool { index >= 0 && index < points.count }
}

private func priceClient(_ pointer: OpaquePointer?) throws -> ClientHandle {
    guard let handle = Handle.get(pointer, as: ClientHandle.self) else { throw PMError(.invalidArgument, "client: must not be NULL") }
    return handle
}

private func priceStore(_ pointer: OpaquePointer?) throws -> StoreHandle {
    guard let handle = Handle.get(pointer, as: StoreHandle.self) else { throw PMError(.invalidArgument, "store: must not be NULL") }
    return handle
}

@c @implementation
public func pm_client_fetch_price_history(_ client: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ startMs: Int64,
                                          _ endMs: Int64, _ bucketSeconds: Int64,
                                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try priceClient(client)
        let token = try requiredString(tokenId, "token_id")
        let end: Int64? = endMs <= 0 ? nil : endMs
        let bucket: Int64? = bucketSeconds <= 0 ? nil : bucketSeconds
        let points = try handle.run {
            try await handle.client.fetchPriceHistory(tokenId: token, start: startMs, end: end, bucketSeconds: bucket)
        }
        out.pointee = Handle.retain(PricePointList(points))
    }
}

@c @implementation
public func pm_client_fetch_price_histories(_ client: OpaquePointer?, _ tokenIds: UnsafePointer<UnsafePointer<CChar>?>?,
                                            _ count: Int, _ startMs: Int64, _ endMs: Int64, _ fidelityMinutes: Int32,
                                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try priceClient(client)
        let tokens = try stringArray(tokenIds, count, "token_ids")
        let end: Int64? = endMs <= 0 ? nil : endMs
        let fidelity: Int? = fidelityMinutes <= 0 ? nil : Int(fidelityMinutes)
        let history = try handle.run {
            try await handle.client.fetchPriceHistories(tokenIds: tokens, start: startMs, end: end, fidelityMinutes: fidelity)
        }
        out.pointee = Handle.retain(PricePointList(history.keys.sorted().flatMap { history[$0] ?? [] }))
    }
}

private func list(_ pointer: OpaquePointer?) -> PricePointList? { Handle.get(pointer, as: PricePointList.self) }

@c @implementation
public func pm_price_points_count(_ points: OpaquePointer?) -> Int { list(points)?.points.count ?? 0 }

@c @implementation
public func pm_price_points_token_id(_ points: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let list = list(points), list.inRange(index) else { return emptyCString }
    return list.tokens[index].borrowed
}

@c @implementation
public func pm_price_points_timestamp_ms(_ points: OpaquePointer?, _ index: Int) -> Int64 {
    guard let list = list(points), list.inRange(index) else { return 0 }
    return list.points[index].timestampMs
}

@c @implementation
public func pm_price_points_price(_ points: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard let list = list(points), list.inRange(index) else { return emptyCString }
    return list.prices[index].borrowed
}

@c @implementation
public func pm_price_points_price_micros(_ points: OpaquePointer?, _ index: Int) -> Int64 {
    guard let list = list(points), list.inRange(index) else { return -1 }
    return list.points[index].price.micros
}

@c @implementation
public func pm_price_points_free(_ points: OpaquePointer?) { Handle.release(points) }

private func parsePrice(_ text: String) throws -> Price {
    do { return try Price(text) } catch { throw PMError.decimal(error, field: "price") }
}

@c @implementation
public func pm_store_upsert_price_points(_ store: OpaquePointer?, _ inputs: UnsafePointer<pm_price_point_input>?, _ count: Int,
                                         _ outInserted: UnsafeMutablePointer<Int>?) -> pm_status {
    withStatus {
        outInserted?.pointee = 0
        let handle = try priceStore(store)
        if count == 0 { return }
        guard count > 0 else { throw PMError(.invalidArgument, "count: too large") }
        let inputs = try requireArgument(inputs, "points")
        var points: [PricePoint] = []
        points.reserveCapacity(count)
        for index in 0..<count {
            let input = inputs[index]
            do {
                guard input.version >= 1 else { throw PMError(.invalidArgument, "version must be >= 1 (use PM_PRICE_POINT_INPUT_INIT)") }
                let token = try requiredString(input.token_id, "token_id")
                let text = try requiredString(input.price, "price")
                let price = try parsePrice(text)
                points.append(try PricePoint(tokenId: token, timestampMs: input.timestamp_ms, price: price))
            } catch let error as PMError {
                throw PMError(error.kind, "points[\(index)]: \(error.message)")
            }
        }
        let inserted = try PriceHistoryRepository(handle.database).upsert(points)
        outInserted?.pointee = inserted
    }
}

@c @implementation
public func pm_store_query_price_points(_ store: OpaquePointer?, _ tokenId: UnsafePointer<CChar>?, _ fromMs: Int64,
                                        _ toMs: Int64, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let handle = try priceStore(store)
        let token = try requiredString(tokenId, "token_id")
        out.pointee = Handle.retain(PricePointList(try PriceHistoryRepository(handle.database).points(tokenId: token, fromMs: fromMs, toMs: toMs)))
    }
}
