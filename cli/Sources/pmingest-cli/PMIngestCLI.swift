// The pmingest command-line tool: a thin shell over the PMIngest core.
import ArgumentParser
import PMIngest

@main
struct PMIngestCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmingest",
        abstract: "Polymarket market-data ingestion: markets, books, trades, streams, SQLite storage.",
        version: "0.1.0",
        subcommands: [Markets.self, Events.self, Book.self, Trades.self, Verify.self, Stream.self, Sync.self, Record.self,
                      Backfill.self, Demo.self, Store.self]
                      + [Export.self])

    /// Errors end as one clear line and a meaningful exit code, never a stack trace.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as PMError {
            printError("pmingest: error: \(error.message)")
            exit(withError: ExitCode(ExitCodes.code(for: error.kind)))
        } catch {
            exit(withError: error)
        }
    }
}
