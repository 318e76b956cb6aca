/// A JSON object: members in wire order, looked up by key with a linear scan.
///
/// Polymarket objects have at most ~100 members, where a scan of a small array beats hashing
/// (no hash of every key at parse time, no dictionary allocation).
///
/// Duplicate keys: every member is kept in `members`, and lookup returns the **last** occurrence
/// (last wins, as in JavaScript's `JSON.parse` and Python's `json`).
@_spi(PMIngestTools) public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// All members in wire order, duplicates included.
    public private(set) var members: [Member]

    public init(_ members: [Member] = []) { self.members = members }

    /// The value of the last member named `key`, or nil.
    public subscript(key: String) -> JSONValue? {
        var index = members.count
        while index > 0 {
            index -= 1
            if members[index].key == key { return members[index].value }
        }
        return nil
    }

    public func contains(_ key: String) -> Bool { self[key] != nil }

    /// Member keys in wire order (duplicates included).
    public var keys: [String] { members.map(\.key) }

    /// Number of members, duplicates included.
    public var count: Int { members.count }

    public var isEmpty: Bool { members.isEmpty }

    /// Adds a member at the end; if `key` already exists the new value wins on lookup.
    public mutating func append(key: String, value: JSONValue) {
        members.append(Member(key: key, value: value))
    }

    /// Map equality: the same set of keys, each with an equal (last-wins) value; order ignored.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        for member in lhs.members where rhs[member.key] != lhs[member.key] { return false }
        for member in rhs.members where !lhs.contains(member.key) { return false }
        return true
    }
}
