import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RampartCore
import RampartLedger
import RampartStore

/// The ledger's admin API, on the admin listener behind an admin key: consent and subjects' rights for the systems that
/// collect them (a consent banner, a privacy portal, a DSAR workflow) — the same operations, checks and JSON as the
/// `rampart ledger` commands (docs/ledger.md#admin-api).
///
/// Subject ids travel in JSON bodies, never in paths or query strings, so they stay out of access logs and proxies'
/// URLs. A change to consent, an objection or an erasure updates this replica's consent book before the answer, so it
/// applies from the next request here (other replicas within `server.key_refresh_seconds`).
struct LedgerAdminRoutes: Sendable {
    let keys: KeyRing
    let ledger: Ledger
    let consents: ConsentBook
    let store: Store
    let purposes: [PurposeConfig]
    let maxBodyBytes: Int

    struct ConsentBody: Decodable {
        var subject: String
        var purpose: String
        var notice: String?
        var method: String?
        var jurisdiction: String?
        var evidence_sha256: String?
        var expires: String?
    }

    struct WithdrawBody: Decodable {
        var subject: String
        var purpose: String
        var method: String?
    }

    struct SubjectBody: Decodable {
        var subject: String
    }

    struct ObjectBody: Decodable {
        var subject: String
        var purpose: String
    }

    struct RectifyBody: Decodable {
        var subject: String
        var entry: Int64
    }

    struct LineageBody: Decodable {
        var model: String
        var dataset: String
        var subjects: [String]
        var purpose: String?
    }

    struct CheckpointOutput: Encodable {
        var note: String
    }

    struct EntryOutput: Encodable {
        var entry: Int64
        var kind: String
        var time: String
        var leaf_hash: String

        init(_ entry: LedgerEntry) {
            self.entry = entry.seq
            self.kind = entry.kind
            self.time = RFC3339.format(entry.time)
            self.leaf_hash = entry.leafHash.hex
        }
    }

    func add(to router: Router<GatewayRequestContext>) {
        let group = router.group("/v1/ledger")
        group.post("consents") { request, _ in
            await decoding(request, ConsentBody.self, status: .created) { body in
                if let notice = body.notice, notice.split(separator: "@").count != 2 {
                    throw GatewayRefusal.badRequest("notice must be id@version, e.g. privacy-notice@3", param: "notice")
                }
                if let digest = body.evidence_sha256, digest.count != 64 || Hex.decode(digest) == nil {
                    throw GatewayRefusal.badRequest("evidence_sha256 must be 64 hex digits (the SHA-256 of the evidence kept elsewhere)", param: "evidence_sha256")
                }
                var expires: Date?
                if let text = body.expires {
                    guard let date = RFC3339.parse(text) else {
                        throw GatewayRefusal.badRequest("expires must be an RFC 3339 time (2027-01-31T00:00:00Z) or a date", param: "expires")
                    }
                    expires = date
                }
                let request = ConsentRequest(subject: body.subject, purpose: body.purpose, notice: body.notice, method: body.method ?? "api",
                                             jurisdiction: body.jurisdiction, evidenceSHA256: body.evidence_sha256?.lowercased(), expires: expires)
                return EntryOutput(try await ledger.giveConsent(request, purposes: purposes, book: consents))
            }
        }
        group.post("consents/withdraw") { request, _ in
            await decoding(request, WithdrawBody.self) { body in
                do {
                    return EntryOutput(try await ledger.withdrawConsent(subject: body.subject, purpose: body.purpose, method: body.method ?? "api",
                                                                        purposes: purposes, book: consents))
                } catch LedgerError.notFound(let why) where why.contains("no current consent") {
                    throw GatewayRefusal(.consentNotCurrent, why)
                }
            }
        }
        group.post("consents/query") { request, _ in
            await decoding(request, SubjectBody.self) { body in try await ledger.consentStatus(subject: body.subject, purposes: purposes) }
        }
        group.post("subjects/export") { request, _ in
            await decoding(request, SubjectBody.self) { body in
                let decisions = try await store.decisions.list(.init(subject: body.subject, limit: 1_000_000))
                return try await ledger.export(subject: body.subject, purposes: purposes, decisions: decisions)
            }
        }
        group.post("subjects/erase") { request, _ in
            await decoding(request, SubjectBody.self) { body in try await ledger.erase(subject: body.subject, book: consents) }
        }
        group.post("subjects/object") { request, _ in
            await decoding(request, ObjectBody.self, status: .created) { body in
                EntryOutput(try await ledger.object(subject: body.subject, purpose: body.purpose, purposes: purposes, book: consents))
            }
        }
        group.post("subjects/rectify") { request, _ in
            await handle(request, status: .created) { (data: Data) in
                let body = try Self.decode(RectifyBody.self, from: data)
                guard case .object(let members)? = try? JSONValue.parse(Array(data)),
                      let correction = members.first(where: { $0.key == "correction" })?.value, case .object = correction else {
                    throw GatewayRefusal.badRequest("`correction` must be a JSON object of the corrected fields, e.g. {\"jurisdiction\":\"AT\"}",
                                                    param: "correction")
                }
                return EntryOutput(try await ledger.rectify(subject: body.subject, entry: body.entry,
                                                            correction: String(decoding: correction.encoded(), as: UTF8.self)))
            }
        }
        group.post("lineage") { request, _ in
            await decoding(request, LineageBody.self, status: .created) { body in
                EntryOutput(try await ledger.recordLineage(model: body.model, dataset: body.dataset, purpose: body.purpose, subjects: body.subjects,
                                                           purposes: purposes))
            }
        }
        group.get("models") { request, _ in
            await handle(request, readBody: false) { (_: Data) in try await ledger.models() }
        }
        group.post("checkpoints") { request, _ in
            await handle(request, status: .created, readBody: false) { (_: Data) in
                CheckpointOutput(note: try await ledger.checkpoint())
            }
        }
    }

    /// Authenticates the admin key, decodes the JSON body as `Body`, runs `work` and answers with its result as JSON.
    private func decoding<Body: Decodable, Output: Encodable>(
        _ request: Request, _ type: Body.Type, status: HTTPResponse.Status = .ok, _ work: @escaping (Body) async throws -> Output
    ) async -> Response {
        await handle(request, status: status) { (data: Data) -> Output in try await work(try Self.decode(Body.self, from: data)) }
    }

    /// Authenticates the admin key, reads the body (at most `server.max_body_bytes`), runs `work` and answers with its
    /// result as JSON — or an error in the OpenAI shape: 400 for a bad body (naming the field), 404 for what the ledger
    /// does not hold, 409 for a state conflict, 503 when the store fails.
    private func handle<Output: Encodable>(
        _ request: Request, status: HTTPResponse.Status = .ok, readBody: Bool = true, _ work: (Data) async throws -> Output
    ) async -> Response {
        if case .failure(let refusal) = keys.authenticate(authorization: request.headers[.authorization], scope: .admin) {
            return refusal.response(decisionID: nil)
        }
        do {
            var data = Data()
            if readBody {
                do {
                    data = Data(try await request.body.collect(upTo: maxBodyBytes).readableBytesView)
                } catch {
                    throw GatewayRefusal(.requestTooLarge, "the body is over \(maxBodyBytes) bytes (server.max_body_bytes)")
                }
            }
            let output = try await work(data)
            return Response(status: status, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(data: try JSONOutput.encode(output, pretty: false))))
        } catch let refusal as GatewayRefusal {
            return refusal.response(decisionID: nil)
        } catch let error as LedgerError {
            switch error {
            case .notFound(let why): return GatewayRefusal(.notFound, why).response(decisionID: nil)
            case .config(let why): return GatewayRefusal.badRequest(why).response(decisionID: nil)
            case .tampered: return GatewayRefusal(.ledgerTampered, "\(error); run `rampart ledger verify`").response(decisionID: nil)
            }
        } catch {
            return GatewayRefusal(.storeUnavailable, "the store could not complete the request; retry shortly").response(decisionID: nil)
        }
    }

    /// Decodes a JSON body, naming the field at fault in the error.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch DecodingError.keyNotFound(let key, let context) {
            throw GatewayRefusal.badRequest("missing field `\(Self.path(context.codingPath + [key]))`", param: Self.path(context.codingPath + [key]))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            throw GatewayRefusal.badRequest("field `\(Self.path(context.codingPath))` has the wrong type: \(context.debugDescription)",
                                            param: Self.path(context.codingPath))
        } catch {
            throw GatewayRefusal.badRequest("the body is not valid JSON")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
