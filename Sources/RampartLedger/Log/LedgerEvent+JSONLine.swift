import RampartCore

extension LedgerEvent {
    /// A kind names what happened: lower-case letters, digits, `.`, `_` or `-`, at most 64 (`consent.given`, `approval`).
    public static func isValidKind(_ kind: String) -> Bool {
        !kind.isEmpty && kind.count <= 64 && kind.allSatisfy { ($0.isLowercase && $0.isASCII) || $0.isNumber || ".-_".contains($0) }
    }

    /// Why a JSONL line is not an event.
    public struct LineError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// One event from a JSON line `{"kind": "approval", "body": {…}}`; the body is kept as compact JSON.
    public init<Bytes: Collection>(jsonLine line: Bytes) throws(LineError) where Bytes.Element == UInt8 {
        guard let value = try? JSONValue.parse(line), case .object(let members) = value else { throw LineError(description: "is not a JSON object") }
        guard let kind = members.first(where: { $0.key == "kind" })?.value.stringValue, Self.isValidKind(kind) else {
            throw LineError(description: "needs \"kind\": lower-case letters, digits, `.`, `_` or `-`")
        }
        guard let body = members.first(where: { $0.key == "body" })?.value, case .object = body else {
            throw LineError(description: "needs \"body\": a JSON object")
        }
        self.init(kind: kind, body: String(decoding: body.encoded(), as: UTF8.self))
    }
}
