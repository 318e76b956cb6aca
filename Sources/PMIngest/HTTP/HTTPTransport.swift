/// How the REST layer talks HTTP. `CurlTransport` is the real one (libcurl); tests of pure logic
/// use in-process fakes that conform to this protocol.
public protocol HTTPTransport: Sendable {
    /// Sends the request (with the transport's retry, rate-limit and size-cap policies) and returns
    /// the final response. Any HTTP status comes back as a response, except where the policy turns
    /// it into an error (see the conforming type). Task cancellation ends the call at once with
    /// `PMError(.cancelled)`.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case post = "POST"
}

public struct HTTPRequest: Sendable, Equatable {
    public var method: HTTPMethod
    /// Absolute URL, query included.
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Rate-limit bucket this request counts against (e.g. "clob.book"); nil = none.
    public var endpoint: String?

    public init(method: HTTPMethod = .get, url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8]? = nil, endpoint: String? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.endpoint = endpoint
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.endpoint == rhs.endpoint
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this (case-insensitive) name.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}
