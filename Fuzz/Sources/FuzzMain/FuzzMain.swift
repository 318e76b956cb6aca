#if canImport(Glibc)
import Glibc
#endif
import CLibFuzzer
import FuzzProperties

/// Runs libFuzzer (command-line options as usual) on one target's properties.
///
/// A violated property aborts, which libFuzzer reports as a crash and saves as a reproducer.
/// libFuzzer hands each input over as an exact-size heap copy, and it is passed on as is (not
/// copied into an Array, whose spare capacity would hide an over-read from AddressSanitizer).
public func runFuzzer(_ check: @escaping FuzzProperty.Check) -> Never {
    FuzzTarget.check = check
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let input = UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
        if let violation = FuzzTarget.check?(input) {
            let line = Array("==FUZZ PROPERTY VIOLATED== \(violation)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            abort()
        }
        return 0
    }
    exit(status)
}

/// The callback is a C function pointer, which cannot capture: the properties are held here.
enum FuzzTarget {
    nonisolated(unsafe) static var check: FuzzProperty.Check?
}
