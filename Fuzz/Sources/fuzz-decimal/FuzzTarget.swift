import FuzzMain
import FuzzProperties

/// fuzz-decimal: see FuzzProperty.decimal for what is checked on each input.
@main enum FuzzDecimal {
    static func main() { runFuzzer(FuzzProperty.decimal) }
}
