import Foundation
import NIOCore
import Testing

@testable import RampartGateway

/// The refusal catalog and docs/errors.md must not drift: every code the gateway can answer or record is on that
/// page with the status it is sent with, and the page lists no code the gateway does not have.
@Suite struct RefusalCatalogTests {
    static let errorsPage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/errors.md")

    /// Each table row of the page: its statuses and its codes.
    static func rows() throws -> [(statuses: Set<Int>, codes: [String])] {
        let text = try String(contentsOf: errorsPage, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { return nil }
            let statuses = Set(cells[1].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) })
            let codes = cells[2].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            return statuses.isEmpty || codes.isEmpty ? nil : (statuses, codes)
        }
    }

    @Test func everyCodeIsDocumentedWithItsStatus() throws {
        let rows = try Self.rows()
        for code in RefusalCode.catalog {
            let row = rows.first { $0.codes.contains(code.rawValue) }
            #expect(row != nil, "docs/errors.md does not list `\(code)`")
            // Guard codes go out as 200 with a refusal completion or with their own status; both are listed.
            #expect(row?.statuses.contains(Int(code.status.code)) == true, "docs/errors.md lists `\(code)` without status \(code.status.code)")
        }
        let upstream = RefusalCode.upstreamStatus(401)
        #expect(rows.contains { $0.codes.contains("upstream_status_<code>") && $0.statuses.contains(Int(upstream.status.code)) })
    }

    @Test func theDocsListNoCodeTheGatewayLacks() throws {
        let known = Set(RefusalCode.catalog.map(\.rawValue) + ["upstream_status_<code>"])
        for row in try Self.rows() {
            for code in row.codes { #expect(known.contains(code), "docs/errors.md lists `\(code)`, which the catalog does not have") }
        }
    }

    @Test func codesAreUniqueAndRenderInBothShapes() {
        #expect(Set(RefusalCode.catalog.map(\.rawValue)).count == RefusalCode.catalog.count)
        var refusal = GatewayRefusal(.routeNotAllowed, "no", param: "model")
        #expect(String(buffer: refusal.body()) == #"{"error":{"message":"no","type":"permission_error","param":"model","code":"route_not_allowed"}}"#)
        refusal.shape = .kserve
        #expect(String(buffer: refusal.body()) == #"{"error":"no","code":"route_not_allowed","param":"model"}"#)
        #expect(RefusalCode.upstreamStatus(404).status == .notFound && RefusalCode.upstreamStatus(401).status == .badGateway)
        #expect(RefusalCode.clientClosed.isFailure && !RefusalCode.rateLimited.isFailure)
    }
}
