import FuzzMain
import FuzzProperties

/// fuzz-markets: see FuzzProperty.markets for what is checked on each input.
@main enum FuzzMarkets {
    static func main() { runFuzzer(FuzzProperty.markets) }
}
