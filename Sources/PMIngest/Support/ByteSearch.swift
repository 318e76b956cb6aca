extension String.UTF8View {
    /// True when `needle`'s UTF-8 bytes occur in this view. Used instead of `String.contains(_:)`
    /// with a string argument, which lives in _StringProcessing and drags the regex engine
    /// (1.3-1.5 MB) into the self-contained library.
    func containsBytes(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard !pattern.isEmpty else { return true }
        let bytes = Array(self)
        guard bytes.count >= pattern.count else { return false }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
        }
        return false
    }
}
