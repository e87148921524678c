/// A storage failure. `code` is stable: `open_failed`, `migration_failed`, `query_failed`, `not_found`,
/// `closed`, `conflict`.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    static func wrap(_ code: String, _ what: String, _ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return StoreError(code: code, message: "\(what): \(String(describing: error))")
    }
}
