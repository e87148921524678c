/// A `text/event-stream` that breaks the format's limits (an event larger than the splitter allows).
public struct SSEError: Error, Sendable, Equatable {
    public var message: String

    public init(message: String) {
        self.message = message
    }
}
