import FuzzMain
import FuzzProperties

/// fuzz-stream: see FuzzProperty.stream for what is checked on each input.
@main enum FuzzStream {
    static func main() { runFuzzer(FuzzProperty.stream) }
}
