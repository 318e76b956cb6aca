import Foundation
import Testing
@_spi(PMIngestTools) @testable import PMIngest
#if canImport(Glibc)
import Glibc
#endif

/// wss:// through libwebsockets' OpenSSL client, against a local TLS WebSocket server with a
/// throwaway self-signed certificate (the project venv's `websockets` + the `openssl` CLI).
@Suite("StreamClient: wss")
struct StreamClientTLSTests {
    static let server = #"""
import json, os, ssl, subprocess, sys, tempfile, threading
from websockets.sync.server import serve
d = tempfile.mkdtemp()
subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                "-keyout", d + "/k.pem", "-out", d + "/c.pem"], check=True, capture_output=True)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/c.pem", d + "/k.pem")
def handler(ws):
    for msg in ws:
        if msg == "PING":
            ws.send("PONG")
        elif '"assets_ids"' in msg:
            ids = json.loads(msg)["assets_ids"]
            ws.send(json.dumps([{"event_type": "last_trade_price", "asset_id": a, "price": "0.5",
                                 "timestamp": "1767225600000"} for a in ids]))
with serve(handler, "127.0.0.1", 0, ssl=ctx) as server:
    print("listening wss://127.0.0.1:%d" % server.socket.getsockname()[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    server.serve_forever()
"""#

    /// Starts the server; returns it and its `wss://127.0.0.1:PORT` root, or nil when the venv or
    /// openssl is missing (the test is then skipped with a note).
    static func start() throws -> (Process, String)? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python),
              FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", server]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = Pipe()   // the server exits when this closes (our exit included)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let fd = stdout.fileHandleForReading.fileDescriptor
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(20)
        while !bytes.contains(10), Date() < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 200) >= 0 else { break }
            if pfd.revents == 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 256)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        let line = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
        guard line.hasPrefix("listening wss://") else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw FakeServerError("TLS WebSocket server did not start: \(line)")
        }
        return (process, String(line.dropFirst("listening ".count)))
    }

    @Test("verification on (default) refuses a self-signed server; off, wss works end to end")
    func selfSigned() async throws {
        guard let (process, root) = try Self.start() else {
            Issue.record("skipped: needs .venv/bin/python (with websockets) and /usr/bin/openssl")
            return
        }
        defer {
            kill(process.processIdentifier, SIGKILL)
            // Also drops the run-loop source through which Foundation's Process retains itself
            // (else the Process leaks: LeakSanitizer). SIGKILL cannot be blocked: returns at once.
            process.waitUntilExit()
        }

        var config = StreamClientConfig(url: root + "/ws/market")
        config.connectTimeoutMs = 5_000
        config.assetSilenceTimeoutMs = 0
        config.pingIntervalMs = 200
        #expect(config.verifyTLS)
        let strict = try StreamClient(config: config)
        defer { strict.close() }
        do {
            try await strict.connectAsync()
            Issue.record("connected to a self-signed server with verification on")
        } catch {
            #expect(error.kind == .network)
            #expect(error.message.contains("TLS"))
        }

        config.verifyTLS = false
        let lax = try StreamClient(config: config)
        defer { lax.close() }
        try lax.subscribe(tokenIds: ["123"])
        try await lax.connectAsync()
        let events = try await pull(lax) { !$0.isEmpty }
        #expect(events.first?.tradeToken == "123")
        #expect(await eventually { lax.stats.pongs >= 1 })
    }
}
