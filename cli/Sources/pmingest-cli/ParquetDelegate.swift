#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import PMIngest

/// `pmingest export --format parquet`: Parquet is written by the Python binding's
/// `python -m pmingest export` (pyarrow), run as a child process with this process's standard
/// streams and environment. The interpreter is `$PMINGEST_PYTHON`, else `python3` on PATH; it is
/// first asked to import pmingest and pyarrow, so a missing piece is one clear line (exit 69,
/// EX_UNAVAILABLE) instead of a Python traceback.
enum ParquetDelegate {
    static let hint = "pip install 'pmingest[arrow]'"

    static func run(arguments: [String]) throws {
        let python = getenv("PMINGEST_PYTHON").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        let probe = spawnAndWait(python, ["-c", "import pmingest, pyarrow"], quiet: true)
        guard probe == 0 else {
            printError("pmingest: error: --format parquet needs Python with the pmingest binding and pyarrow "
                       + "(\(python) could not import them): \(hint), or set PMINGEST_PYTHON to an interpreter that has them")
            throw ExitCode(69)
        }
        let status = spawnAndWait(python, arguments, quiet: false)
        if status != 0 { throw ExitCode(status) }
    }

    /// The child's exit status; 127 when it could not be started, 128+N when killed by signal N.
    static func spawnAndWait(_ program: String, _ arguments: [String], quiet: Bool) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if quiet {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, program, &actions, nil, argv, environ) == 0 else { return 127 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
