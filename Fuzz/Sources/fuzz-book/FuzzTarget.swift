import FuzzMain
import FuzzProperties

/// fuzz-book: see FuzzProperty.book for what is checked on each input.
@main enum FuzzBook {
    static func main() { runFuzzer(FuzzProperty.book) }
}
