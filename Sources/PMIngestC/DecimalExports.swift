import CPMIngest
import PMIngest

@c @implementation
public func pm_decimal_parse(_ text: UnsafePointer<CChar>?, _ outMicros: UnsafeMutablePointer<Int64>?) -> pm_status {
    withStatus {
        let out = try requireArgument(outMicros, "out_micros")
        let value = try requiredString(text, "text")
        out.pointee = try DecimalParse.micros(value)
    }
}

@c @implementation
public func pm_decimal_format(_ micros: Int64, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> pm_status {
    withStatus {
        let out = try requireArgument(out, "out")
        out.pointee = nil
        let text = DecimalFormat.format(micros: micros)
        guard let copy = pmingest_strndup(text, text.utf8.count) else { throw PMError(.internal, "out of memory") }
        out.pointee = copy
    }
}
