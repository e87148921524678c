/// Why an upstream call did not produce a response.
struct UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// Could not connect (refused, unreachable, TLS failure, connect timeout).
        case connect
        /// No response head within the timeout, or silence longer than it during a body.
        case timeout
        /// The connection closed or failed before the response was complete.
        case broken
        /// A non-streamed response over the configured limit.
        case tooLarge
        /// The upstream spoke something that is not HTTP/1.1.
        case protocolError
    }

    var kind: Kind
    var detail: String
    /// Whether any byte of a response had arrived (a request that got nothing on a reused connection may be retried).
    var responseStarted = false

    var description: String { "\(kind): \(detail)" }
}
