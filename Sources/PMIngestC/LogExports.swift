// pm_set_log_callback: the library's log into a C callback.
import CPMIngest
import PMIngest

/// A LogSink that calls a C function; frees its userdata when the last reference goes (which
/// PMLog.setSink guarantees is after its last call).
final class CallbackLogSink: LogSink, @unchecked Sendable {
    let callback: pm_log_cb
    let userdata: UnsafeMutableRawPointer?
    let userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?

    init(callback: pm_log_cb, userdata: UnsafeMutableRawPointer?,
         userdataFree: (@convention(c) (UnsafeMutableRawPointer?) -> Void)?) {
        self.callback = callback
        self.userdata = userdata
        self.userdataFree = userdataFree
    }

    deinit { userdataFree?(userdata) }

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
            PMLog.setSink(nil)
            userdataFree?(userdata)   // nothing will ever call back with it
            return
        }
        PMLog.setSink(CallbackLogSink(callback: cb, userdata: userdata, userdataFree: userdataFree), minimumLevel: level)
    }
}
