#if canImport(Glibc)
import Glibc
#endif
import PMIngest

/// Exit codes follow sysexits(3), so scripts can tell bad input from a network outage.
enum ExitCodes {
    static func code(for kind: PMError.Kind) -> Int32 {
        switch kind {
        case .invalidArgument, .invalidUTF8, .misuse: return 64       // EX_USAGE
        case .parse, .range, .tooLarge, .stale, .bookInvalid, .noOrderBook: return 65 // EX_DATAERR
        case .network, .http: return 69                              // EX_UNAVAILABLE
        case .cantOpen: return 73                                    // EX_CANTCREAT
        case .storage, .corrupt: return 74                           // EX_IOERR
        case .busy, .timeout: return 75                              // EX_TEMPFAIL
        case .cancelled: return 130
        case .internal: return 70                                    // EX_SOFTWARE
        }
    }
}

func printError(_ line: String) {
    let text = line + "\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
}

/// Reads a whole file ("-" = standard input) as bytes.
func readAll(_ path: String) throws -> [UInt8] {
    let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw PMError(.invalidArgument, "cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { if fd != 0 { close(fd) } }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw PMError(.invalidArgument, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        if count == 0 { break }
        bytes.append(contentsOf: buffer[0..<count])
    }
    return bytes
}

func fflushStdout() { fflush(nil) }
