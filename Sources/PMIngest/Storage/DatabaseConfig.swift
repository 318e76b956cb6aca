/// Where and how to open a `Database`.
public struct DatabaseConfig: Sendable, Equatable {
    /// A file path, or ":memory:" for a private in-memory database.
    public var path: String
    /// How long a call waits for a lock held by another connection before failing with `.busy`.
    public var busyTimeoutMilliseconds: Int32

    public static let inMemoryPath = ":memory:"
    public static let defaultBusyTimeoutMilliseconds: Int32 = 5000

    public init(path: String, busyTimeoutMilliseconds: Int32 = DatabaseConfig.defaultBusyTimeoutMilliseconds) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    /// A private in-memory database (gone when closed).
    public static func inMemory() -> DatabaseConfig { DatabaseConfig(path: inMemoryPath) }

    public var isInMemory: Bool { path == DatabaseConfig.inMemoryPath }
}
