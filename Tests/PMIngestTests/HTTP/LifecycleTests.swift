import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest

/// Creating and shutting down transports leaks neither threads nor file descriptors.
@Suite struct HTTPLifecycleTests {
    @Test func createShutdownCyclesReturnToBaseline() async throws {
        // The shared server and its control transport exist before the baseline is taken.
        let session = try await FakePolymarket.shared.newSession(preset: "basic")
        let url = session.gammaURL + "/markets?limit=1"
        try await cycle(url, explicitShutdown: true)   // one-time initialisation (curl_global_init, ...) is in the baseline
        let threads0 = HTTPTest.threadCount(), fds0 = HTTPTest.fdCount()
        let named0 = HTTPTest.threads(named: "pmingest-http")

        for i in 0..<50 { try await cycle(url, explicitShutdown: i % 2 == 0) }   // odd cycles: deinit shuts down

        // Other suites run in parallel and open threads/fds of their own: allow a little noise, far
        // below the 50 that one leaked thread or socket per cycle would add, and let it settle.
        var threads = 0, fds = 0, named = 0
        for _ in 0..<30 {
            (threads, fds, named) = (HTTPTest.threadCount(), HTTPTest.fdCount(), HTTPTest.threads(named: "pmingest-http"))
            if threads <= threads0 + 10 && fds <= fds0 + 20 && named <= named0 + 5 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(threads <= threads0 + 10, "threads: \(threads0) → \(threads)")
        #expect(fds <= fds0 + 20, "fds: \(fds0) → \(fds)")
        #expect(named <= named0 + 5, "pmingest-http threads: \(named0) → \(named)")
    }

    /// Precise: a server no other test talks to, so every socket to its port is ours.
    @Test func noSocketOutlivesItsTransport() async throws {
        let server = FakePolymarket()
        let session = try await server.newSession(preset: "basic")
        let port = try #require(Int(session.root.split(separator: ":").last ?? ""))
        let control = socketsOpen(toPort: port)   // the helper's own keep-alive control connection
        for _ in 0..<10 {
            let http = try HTTPTest.transport()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 { group.addTask { try await http.send(HTTPRequest(url: session.gammaURL + "/markets?limit=1")).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(socketsOpen(toPort: port) > control)   // kept alive while the transport lives
            http.shutdown()
            #expect(socketsOpen(toPort: port) == control)
        }
        await server.stop()
    }

    @Test func engineThreadIsNamed() throws {
        let http = try HTTPTest.transport()
        #expect(HTTPTest.threads(named: "pmingest-http") >= 1)
        http.shutdown()
    }

    private func cycle(_ url: String, explicitShutdown: Bool) async throws {
        let http = try HTTPTest.transport()
        #expect(try await http.send(HTTPRequest(url: url)).status == 200)
        if explicitShutdown { http.shutdown() }
    }

    /// Our fds that are TCP sockets whose remote port is `port` (/proc/self/fd × /proc/net/tcp).
    private func socketsOpen(toPort port: Int) -> Int {
        let remotePort = String(format: ":%04X", port)
        var inodes = Set<String>()
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // Not String(contentsOfFile:): it stops at 4 KiB on procfs files, whose size reads as 0.
            let data = FileHandle(forReadingAtPath: table)?.readDataToEndOfFile() ?? Data()
            let text = String(decoding: data, as: UTF8.self)
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                if fields.count > 9, fields[2].hasSuffix(remotePort) { inodes.insert(String(fields[9])) }
            }
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return fds.filter { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + fd),
                  target.hasPrefix("socket:[") else { return false }
            return inodes.contains(String(target.dropFirst(8).dropLast()))
        }.count
    }
}
