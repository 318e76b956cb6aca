// pm_recorder_*: stream trades into the store, batched. Boxing only; TradeRecorder is the logic.
import CPMIngest
import PMIngest

/// pm_recorder: the core recorder, serialized by its own lock, and the store it writes to.
final class RecorderHandle {
    let store: StoreHandle   // keeps the database open
    let recorder: TradeRecorder
    let lock = Lock()

    init(store: StoreHandle, recorder: TradeRecorder) {
        self.store = store
        self.recorder = recorder
    }
}

private func recorderHandle(_ pointer: OpaquePointer?) throws -> RecorderHandle {
    guard let handle = Handle.get(pointer, as: RecorderHandle.self) else {
        throw PMError(.invalidArgument, "recorder: must not be NULL")
    }
    return handle
}

@c @implementation
public func pm_recorder_new(_ store: OpaquePointer?, _ batchSize: Int32, _ flushMs: Int64,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        guard let storeHandle = Handle.get(store, as: StoreHandle.self) else {
            throw PMError(.invalidArgument, "store: must not be NULL")
        }
        guard batchSize >= 0 else { throw PMError(.invalidArgument, "batch_size: must be >= 0") }
        let recorder = try TradeRecorder(database: storeHandle.database, batchSize: batchSize == 0 ? 500 : Int(batchSize),
                                         flushIntervalMs: flushMs)
        out.pointee = Handle.retain(RecorderHandle(store: storeHandle, recorder: recorder))
    }
}

@c @implementation
public func pm_recorder_record(_ recorder: OpaquePointer?, _ event: OpaquePointer?) -> pm_status {
    withStatus {
        let handle = try recorderHandle(recorder)
        guard let record = Handle.get(event, as: EventRecord.self) else { throw PMError(.invalidArgument, "event: must not be NULL") }
        try handle.lock.withLock { try handle.recorder.record(record.event) }
    }
}

@c @implementation
public func pm_recorder_flush(_ recorder: OpaquePointer?) -> pm_status {
    withStatus {
        let handle = try recorderHandle(recorder)
        try handle.lock.withLock { try handle.recorder.flush() }
    }
}

@c @implementation
public func pm_recorder_recorded(_ recorder: OpaquePointer?) -> Int64 {
    guard let handle = Handle.get(recorder, as: RecorderHandle.self) else { return 0 }
    return handle.lock.withLock { Int64(handle.recorder.recorded) }
}

@c @implementation
public func pm_recorder_skipped(_ recorder: OpaquePointer?) -> Int64 {
    guard let handle = Handle.get(recorder, as: RecorderHandle.self) else { return 0 }
    return handle.lock.withLock { Int64(handle.recorder.skipped) }
}

@c @implementation
public func pm_recorder_free(_ recorder: OpaquePointer?) {
    if let handle = Handle.get(recorder, as: RecorderHandle.self) {
        handle.lock.withLock { try? handle.recorder.flush() }
    }
    Handle.release(recorder)
}
