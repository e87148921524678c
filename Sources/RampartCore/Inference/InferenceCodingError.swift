/// Why an Open Inference Protocol document could not be read: what kind of problem, where (a JSON path such as
/// `inputs[0].data[17]`) and what was expected. The kinds' raw values are the gateway's refusal codes.
public struct InferenceCodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case invalidJSON = "invalid_json"
        case invalidRequest = "invalid_request"
        case invalidInput = "invalid_input"
        case invalidShape = "invalid_shape"
        case invalidValue = "invalid_value"
        case outOfRange = "out_of_range"
    }

    public var kind: Kind
    /// Where in the document, or nil for the document as a whole.
    public var path: String?
    public var message: String

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
