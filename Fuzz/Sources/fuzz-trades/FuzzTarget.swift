import FuzzMain
import FuzzProperties

/// fuzz-trades: see FuzzProperty.trades for what is checked on each input.
@main enum FuzzTrades {
    static func main() { runFuzzer(FuzzProperty.trades) }
}
