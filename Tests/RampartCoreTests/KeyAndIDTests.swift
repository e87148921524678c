import Foundation
import Testing
@testable import RampartCore

@Suite struct APIKeyFormatTests {
    @Test func generatedKeysHaveTheDocumentedShapeAndVerify() throws {
        let (key, record) = APIKeyFormat.generate(tenant: "acme", routes: ["chat"], scope: .client)
        #expect(key.hasPrefix("rk_"))
        #expect(key.count == 3 + 13 + 1 + 52)
        #expect(APIKeyFormat.keyID(of: Substring(key)).map(String.init) == record.id)
        #expect(APIKeyFormat.matches(key, storedHash: record.hash))
        #expect(record.hash.count == 64)
        #expect(!record.hash.contains(key.suffix(52)))
    }

    @Test func aKeyDifferingInOneCharacterDoesNotMatch() throws {
        let (key, record) = APIKeyFormat.generate(tenant: "acme", routes: ["chat"], scope: .client)
        var chars = Array(key)
        chars[chars.count - 1] = chars[chars.count - 1] == "a" ? "b" : "a"
        #expect(!APIKeyFormat.matches(String(chars), storedHash: record.hash))
    }

    @Test func keysAreUnique() {
        let keys = (0..<1000).map { _ in APIKeyFormat.generate(tenant: "t", routes: ["*"], scope: .client).key }
        #expect(Set(keys).count == 1000)
    }

    @Test(arguments: ["", "rk_", "sk-abc", "rk_short_secret", "rk_AAAAAAAAAAAAA_" + String(repeating: "a", count: 52),
                      "rk_aaaaaaaaaaaaa-" + String(repeating: "a", count: 52), "rk_aaaaaaaaaaaaa_" + String(repeating: "a", count: 51)])
    func malformedKeysHaveNoID(text: String) {
        #expect(APIKeyFormat.keyID(of: Substring(text)) == nil)
    }

    @Test func routePermissions() {
        let client = APIKeyRecord(id: "x", tenant: "t", routes: ["chat"], scope: .client, hash: "", createdAt: Date())
        #expect(client.mayUse(route: "chat"))
        #expect(!client.mayUse(route: "embed"))
        let all = APIKeyRecord(id: "x", tenant: "t", routes: ["*"], scope: .client, hash: "", createdAt: Date())
        #expect(all.mayUse(route: "embed"))
        let admin = APIKeyRecord(id: "x", tenant: "t", routes: ["*"], scope: .admin, hash: "", createdAt: Date())
        #expect(!admin.mayUse(route: "chat"))
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equal([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equal([1, 2, 3], [1, 2]))
    }

    @Test func base32MatchesRFC4648Vectors() {
        // RFC 4648 §10, lowercase and unpadded.
        #expect(Base32.encode(Array("f".utf8)) == "my")
        #expect(Base32.encode(Array("fo".utf8)) == "mzxq")
        #expect(Base32.encode(Array("foobar".utf8)) == "mzxw6ytboi")
    }
}

@Suite struct IdentifierAndTimeTests {
    @Test func uuidV7IsTimeOrderedAndVersioned() {
        let a = TimeOrderedID.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let b = TimeOrderedID.make(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(a < b)
        #expect(TimeOrderedID.isWellFormed(a))
        #expect(Array(a)[14] == "7")
        #expect("89ab".contains(Array(a)[19]))
        // 1_700_000_000_000 ms = 0x018bcfe56800
        #expect(a.hasPrefix("018bcfe5-6800-7"))
    }

    @Test func rfc3339RoundTrips() throws {
        let date = Date(timeIntervalSince1970: 1_764_256_606.123)
        let text = RFC3339.format(date)
        #expect(text == "2025-11-27T15:16:46.123Z")
        let parsed = try #require(RFC3339.parse(text))
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.001)
        #expect(RFC3339.parse("2025-11-27T16:16:46+01:00")?.timeIntervalSince1970 == 1_764_256_606)
        #expect(RFC3339.parse("2025-11-27")?.timeIntervalSince1970 == 1_764_201_600)
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test(arguments: ["", "2025", "2025-13-01", "2025-11-27T25:00:00Z", "2025-11-27T10:00:00", "yesterday", "2025-11-27T10:00:00.Z"])
    func rfc3339RejectsMalformed(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func canonicalJSONIsDeterministicAndLeavesOutSeq() {
        var record = DecisionRecord(id: "id", time: Date(timeIntervalSince1970: 1), endpoint: "/v1/chat/completions", status: 200, verdict: .allowed)
        let first = record.canonicalJSON()
        record.seq = 42
        #expect(record.canonicalJSON() == first)
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix(#"{"endpoint":"/v1/chat/completions","findings":[],"gateway_latency_ms":0,"id":"id""#))
    }
}
