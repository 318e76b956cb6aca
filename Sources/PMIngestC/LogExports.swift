// pm_set_log_callback, pm_set_log_level: the library's log into a C callback.
import CPMIngest
import PMIngest

/// A LogSink that calls a C function; frees its userdata when the last reference goes (which
/// PMLog.setSink guarantees is after its last call) — unless it was never installed.
final class CallbackLogSink: LogSink, @unchecked Sendable {
    let callback: pm_log_cb
    let userdata: UnsafeMutableRawPointer?
    let userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?
    /// False when installing it failed: the caller still owns userdata.
    var owns = true

    init(callback: pm_log_cb, userdata: UnsafeMutableRawPointer?,
         userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) {
        self.callback = callback
        self.userdata = userdata
        self.userdataFree = userdataFree
    }

    deinit { if owns { userdataFree?(userdata) } }

    func log(_ record: LogRecord) {
        let level = pm_log_level(rawValue: UInt32(record.level.rawValue))
        record.subsystem.withCString { subsystem in
            record.message.withCString { message in callback(level, subsystem, message, userdata) }
        }
    }
}

@c @implementation
public func pm_set_log_callback(_ cb: pm_log_cb?, _ minLevel: pm_log_level, _ userdata: UnsafeMutableRawPointer?,
                                _ userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) -> pm_status {
    withStatus {
        guard let level = LogLevel(rawValue: Int(minLevel.rawValue)) else {
            throw PMError(.invalidArgument, "min_level: \(minLevel.rawValue) is not a pm_log_level")
        }
        guard let cb else {
            try PMLog.setSink(nil)
            userdataFree?(userdata)   // nothing will ever call back with it
            return
        }
        let sink = CallbackLogSink(callback: cb, userdata: userdata, userdataFree: userdataFree)
        do { try PMLog.setSink(sink, minimumLevel: level) } catch {
            sink.owns = false
            throw error
        }
    }
}

@c @implementation
public func pm_set_log_level(_ minLevel: pm_log_level) -> pm_status {
    withStatus {
        guard let level = LogLevel(rawValue: Int(minLevel.rawValue)) else {
            throw PMError(.invalidArgument, "min_level: \(minLevel.rawValue) is not a pm_log_level")
        }
        PMLog.setMinimumLevel(level)
    }
}
