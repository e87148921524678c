import HTTPTypes
import RampartCore

extension RequestPipeline {
    /// Stage 1: the `Rampart-Subject` and `Rampart-Purpose` headers (1–256 printable characters: a pseudonymous id,
    /// never a name), then the client key — looked up by its id, its secret compared in constant time (``KeyRing``).
    func authenticate(_ headers: HTTPFields, draft: inout DecisionDraft) throws(GatewayRefusal) -> APIKeyRecord {
        func check(_ name: HTTPField.Name) throws(GatewayRefusal) -> String? {
            guard let value = headers[name] else { return nil }
            guard !value.isEmpty, value.utf8.count <= 256, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw .badRequest("header `\(name.rawName)` must be 1–256 printable characters (a pseudonymous id, never a name)",
                                  param: name.rawName, code: .invalidHeader)
            }
            return value
        }
        draft.subject = try check(.rampartSubject)
        draft.purpose = try check(.rampartPurpose)
        let key = try keys.authenticate(authorization: headers[.authorization], scope: .client).get()
        draft.tenant = key.tenant
        draft.keyID = key.id
        return key
    }
}
