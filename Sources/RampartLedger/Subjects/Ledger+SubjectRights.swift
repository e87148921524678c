import Foundation
import RampartCore
import RampartStore

extension Ledger {
    static let lineageKinds = ["lineage.recorded", "consent.withdrawn", "subject.objected", "subject.erased"]

    /// Records that `subjects`' data (identifiers as in Rampart-Subject) trained `model` (`name@version`), from
    /// `dataset`, for `purpose`. Subjects the ledger does not know yet get an identity, so a later erasure finds them.
    @discardableResult
    public func recordLineage(model: String, dataset: String, purpose: String?, subjects: [String], purposes: [PurposeConfig]) async throws -> LedgerEntry {
        let parts = model.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, model.utf8.count <= 128, !model.contains(" ") else {
            throw LedgerError.config("model must be NAME@VERSION (e.g. fraud-detector@3), got `\(model.prefix(80))`")
        }
        guard !dataset.isEmpty, dataset.utf8.count <= 256 else { throw LedgerError.config("dataset must be 1–256 characters") }
        if let purpose, !purposes.contains(where: { $0.id == purpose }) { throw LedgerError.notFound("unknown purpose `\(purpose)`") }
        guard !subjects.isEmpty else { throw LedgerError.config("no subjects: the lineage lists whose data trained the model") }
        var refs: [String] = []
        var seen = Set<String>()
        for subject in subjects where seen.insert(subject).inserted {
            try Self.checkSubject(subject)
            guard let identity = try await self.subject(subject, create: true) else { continue }
            refs.append(identity.ref)
        }
        let record = LineageRecord(model: model, dataset: dataset, purpose: purpose, subjectRefs: refs)
        return try await append([LedgerEvent(kind: "lineage.recorded", body: try Self.canonical(record))])[0]
    }

    /// Every model with recorded lineage and its state.
    public func models() async throws -> [ModelState] {
        var states: [String: ModelState] = [:]
        var order: [String] = []
        var trainedOn: [String: [String: String?]] = [:]  // ref → model → purpose
        var after: Int64 = -1
        while true {
            let rows = try await store.ledger.rows(kinds: Self.lineageKinds, after: after)
            guard let last = rows.last?.seq else { break }
            for row in rows {
                switch row.kind {
                case "lineage.recorded":
                    guard let record = try? JSONDecoder().decode(LineageRecord.self, from: Data(row.body.utf8)) else { continue }
                    if states[record.model] == nil {
                        order.append(record.model)
                        states[record.model] = ModelState(model: record.model, datasets: [], purposes: [], subjects: 0, state: "trained", reasons: [], entries: [])
                    }
                    states[record.model]!.entries.append(row.seq)
                    if !states[record.model]!.datasets.contains(record.dataset) { states[record.model]!.datasets.append(record.dataset) }
                    if let p = record.purpose, !states[record.model]!.purposes.contains(p) { states[record.model]!.purposes.append(p) }
                    for ref in record.subjectRefs where trainedOn[ref]?[record.model] == nil {
                        trainedOn[ref, default: [:]][record.model] = record.purpose
                        states[record.model]!.subjects += 1
                    }
                default:
                    guard let ref = row.subjectRef, let models = trainedOn[ref] else { continue }
                    let purpose: String?
                    switch row.kind {
                    case "consent.withdrawn": purpose = (try? JSONDecoder().decode(ConsentRecord.self, from: Data(row.body.utf8)))?.purpose
                    case "subject.objected": purpose = (try? JSONDecoder().decode(ObjectionRecord.self, from: Data(row.body.utf8)))?.purpose
                    default: purpose = nil  // erasure concerns every purpose
                    }
                    let what = ["consent.withdrawn": "withdrew consent", "subject.objected": "objected", "subject.erased": "was erased"][row.kind] ?? row.kind
                    for (model, trainedPurpose) in models where purpose == nil || trainedPurpose == nil || trainedPurpose == purpose {
                        states[model]!.state = "retrain-required"
                        states[model]!.reasons.append("entry \(row.seq): subject \(ref) \(what)\(purpose.map { " (\($0))" } ?? "")")
                    }
                }
            }
            after = last
            if rows.count < 10_000 { break }
        }
        return order.compactMap { states[$0] }
    }

    /// Records a subject's objection to processing for `purpose` (guide: the right to object). The gateway refuses
    /// the subject on routes serving that purpose (`403 objection_recorded`), consent for it counts as withdrawn,
    /// and models trained on the subject's data for that purpose need retraining.
    @discardableResult
    public func object(subject identifier: String, purpose: String, purposes: [PurposeConfig], book: ConsentBook? = nil) async throws -> LedgerEntry {
        try Self.checkSubject(identifier)
        guard purposes.contains(where: { $0.id == purpose }) else { throw LedgerError.notFound("unknown purpose `\(purpose)`") }
        guard let subject = try await subject(identifier, create: true) else { throw LedgerError.notFound("subject") }
        let body = try Self.canonical(ObjectionRecord(purpose: purpose))
        let entry = try await append([LedgerEvent(kind: "subject.objected", subjectRef: subject.ref, body: body)])[0]
        try await book?.refresh(from: store)
        return entry
    }

    /// Records a correction of entry `seq` about the subject (guide: the right to rectification): a
    /// `subject.rectified` event that supersedes the entry and carries the corrected fields sealed under the subject's
    /// key. The original entry is never rewritten — the log stays append-only and verifiable; the export shows both.
    @discardableResult
    public func rectify(subject identifier: String, entry seq: Int64, correction: String) async throws -> LedgerEntry {
        try Self.checkSubject(identifier)
        guard let value = try? JSONValue.parse(Array(correction.utf8)), case .object = value else {
            throw LedgerError.config("a correction is a JSON object of the corrected fields, e.g. {\"jurisdiction\":\"AT\"}")
        }
        guard let subject = try await subject(identifier, create: false) else {
            throw LedgerError.notFound("the ledger holds nothing about this subject (never recorded, or erased)")
        }
        guard let row = try await store.ledger.rows(seq..<(seq + 1)).first, row.subjectRef == subject.ref else {
            throw LedgerError.notFound("entry \(seq) is not an entry about this subject")
        }
        let body = #"{"sealed":\#(JSONValue.quote(try Self.seal(correction, key: subject.sealKey))),"supersedes":\#(seq)}"#
        return try await append([LedgerEvent(kind: "subject.rectified", subjectRef: subject.ref, body: body)])[0]
    }

    /// Erases a subject (guide: the right to erasure, and "re-train the model without the deleted user's data"):
    /// records the erasure, then destroys the subject's identity — the link from the identifier to the events and the
    /// key that sealed the identifier in them (crypto-shredding). The events stay, so the tree still verifies. Returns
    /// a receipt, signed when the ledger has a key, naming the models that now need retraining.
    public func erase(subject identifier: String, book: ConsentBook? = nil) async throws -> ErasureReceipt {
        try Self.checkSubject(identifier)
        let subject = try await subject(identifier, create: false)
        // The decision records naming the subject are unlinked first: their subject and nonce are cleared, so the
        // commitments in the ledger's decision events can no longer be opened.
        let unlinked = try await store.decisions.unlink(subject: identifier)
        guard subject != nil || unlinked > 0 else {
            throw LedgerError.notFound("the ledger holds nothing about this subject (never recorded, or already erased)")
        }
        var shredded = 0
        var retrain: [String] = []
        if let subject {
            shredded = try await store.ledger.rows(subjectRef: subject.ref).count
            // Erasure concerns every purpose: every model trained on the subject's data must be retrained.
            retrain = try await modelsTrained(on: subject.ref)
        }
        let entry = try await append([LedgerEvent(kind: "subject.erased", subjectRef: subject?.ref,
                                                  body: #"{"decisions_unlinked":\#(unlinked),"right":"erasure"}"#)])[0]
        if let subject { _ = try await store.ledger.deleteSubject(ref: subject.ref) }
        try await book?.refresh(from: store)
        let tree = try await state()
        var receipt = ErasureReceipt(subjectRef: subject?.ref ?? "-", entry: entry.seq, entriesShredded: shredded, decisionsUnlinked: unlinked,
                                     retrainRequired: retrain, logSize: tree.size, root: tree.root.hex, time: RFC3339.format(entry.time), note: nil)
        if let signingKey {
            let text = """
                \(origin)
                erasure receipt
                subject_ref \(receipt.subjectRef)
                entry \(receipt.entry)
                entries_shredded \(receipt.entriesShredded)
                decisions_unlinked \(receipt.decisionsUnlinked)
                retrain_required \(retrain.isEmpty ? "-" : retrain.joined(separator: ","))
                log_size \(receipt.logSize)
                root \(receipt.root)
                time \(receipt.time)

                """
            receipt.note = try SignedNote.sign(text, with: signingKey)
        }
        return receipt
    }

    /// Everything held about `identifier`: consent and objection state, every ledger event about it with its sealed
    /// fields opened, the decision records naming it, the purposes involved and the models trained on its data. The
    /// request is recorded as a `subject.exported` event.
    public func export(subject identifier: String, purposes: [PurposeConfig], decisions: [DecisionRecord]) async throws -> SubjectExport {
        try Self.checkSubject(identifier)
        var out = SubjectExport(subject: identifier, subjectRef: nil, exportedAt: RFC3339.format(now()), consents: [:], objections: [], purposes: [],
                                events: [], decisions: decisions, models: [])
        var involved = Set(decisions.compactMap(\.purpose))
        if let subject = try await subject(identifier, create: false) {
            out.subjectRef = subject.ref
            for row in try await store.ledger.rows(subjectRef: subject.ref) {
                let body = (try? JSONValue.parse(Array(row.body.utf8))) ?? .string(row.body)
                var personal: JSONValue?
                if case .object(let members) = body, let sealed = members.first(where: { $0.key == "sealed" })?.value, case .string(let text) = sealed,
                   let opened = Self.unseal(text, key: subject.sealKey) {
                    personal = try? JSONValue.parse(Array(opened.utf8))
                }
                if case .object(let members) = body, let purpose = members.first(where: { $0.key == "purpose" })?.value, case .string(let p) = purpose {
                    involved.insert(p)
                }
                out.events.append(.init(seq: row.seq, time: RFC3339.format(Millis.date(row.timeMs)), kind: row.kind, body: body, personal: personal))
                if row.kind == "subject.rectified", case .object(let members) = body,
                   let target = members.first(where: { $0.key == "supersedes" })?.value.intValue,
                   let index = out.events.firstIndex(where: { $0.seq == Int64(target) }) {
                    out.events[index].supersededBy = row.seq
                }
            }
            let book = ConsentBook()
            try await book.refresh(from: store)
            for (purpose, current) in book.consents(ref: subject.ref) {
                let expired = current.expires.map { $0 <= now() } ?? false
                out.consents[purpose] = expired ? "expired" : current.state.rawValue
            }
            out.objections = out.events.filter { $0.kind == "subject.objected" }.compactMap {
                if case .object(let m) = $0.body, case .string(let p)? = m.first(where: { $0.key == "purpose" })?.value { return p }
                return nil
            }
            out.models = try await modelsTrained(on: subject.ref)
        }
        out.purposes = purposes.filter { involved.contains($0.id) }.map { p in
            .object([("id", .string(p.id)), ("description", .string(p.description)), ("lawful_basis", .string(p.lawfulBasis.rawValue)),
                     ("data_categories", .array(p.dataCategories.map { .string($0) })),
                     ("retention_days", p.retentionDays.map { .number(String($0)) } ?? .null)])
        }
        // The access request and its outcome are on the record too (a subject the ledger has no identity for is
        // recorded without a reference).
        try await append([LedgerEvent(kind: "subject.exported", subjectRef: out.subjectRef,
                                      body: #"{"decisions":\#(out.decisions.count),"events":\#(out.events.count),"right":"access"}"#)])
        return out
    }

    private func modelsTrained(on ref: String) async throws -> [String] {
        var models: [String] = []
        var after: Int64 = -1
        while true {
            let rows = try await store.ledger.rows(kinds: ["lineage.recorded"], after: after)
            guard let last = rows.last?.seq else { break }
            for row in rows {
                guard let record = try? JSONDecoder().decode(LineageRecord.self, from: Data(row.body.utf8)), record.subjectRefs.contains(ref),
                      !models.contains(record.model) else { continue }
                models.append(record.model)
            }
            after = last
            if rows.count < 10_000 { break }
        }
        return models
    }
}
