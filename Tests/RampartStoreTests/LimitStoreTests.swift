import Foundation
import Testing
import RampartStoreTesting
@testable import RampartCore
@testable import RampartStore

/// The token bucket replicas share in PostgreSQL (`rampart_admit`): its arithmetic, its daily quotas, and that two
/// replicas admitting at once never let more through than one bucket holds.
@Suite struct LimitStoreTests {
    static var postgres: [TestBackend] { TestBackend.available.filter { $0 == .postgres } }

    @Test(arguments: postgres)
    func bucketRefillsAndRefusesWithRetryAfter(_ backend: TestBackend) async throws {
        try await backend.withStore { store, _ in
            let t0: Int64 = 1_800_000_000_000 + 3_600_000
            var admitted: [Bool] = []
            for _ in 0..<7 {
                admitted.append(try await store.limits.admit(key: "chat\u{1F}k1", nowMs: t0, rate: 0.5, capacity: 5, requestsPerDay: nil, tokensPerDay: nil).admitted)
            }
            #expect(admitted == [true, true, true, true, true, false, false])
            let refused = try await store.limits.admit(key: "chat\u{1F}k1", nowMs: t0, rate: 0.5, capacity: 5, requestsPerDay: nil, tokensPerDay: nil)
            #expect(refused.reason == "rate_limited" && refused.retryAfterSeconds == 2)
            // Four seconds at 0.5/s refill two tokens.
            var later: [Bool] = []
            for _ in 0..<3 {
                later.append(try await store.limits.admit(key: "chat\u{1F}k1", nowMs: t0 + 4_000, rate: 0.5, capacity: 5, requestsPerDay: nil, tokensPerDay: nil).admitted)
            }
            #expect(later == [true, true, false])
            // Another key has its own bucket.
            #expect(try await store.limits.admit(key: "chat\u{1F}k2", nowMs: t0, rate: 0.5, capacity: 5, requestsPerDay: nil, tokensPerDay: nil).admitted)
        }
    }

    @Test(arguments: postgres)
    func dailyQuotasResetAtUTCMidnight(_ backend: TestBackend) async throws {
        try await backend.withStore { store, _ in
            let day: Int64 = 1_800_000_000_000 / 86_400_000 * 86_400_000
            let noon = day + 43_200_000
            for _ in 0..<3 { #expect(try await store.limits.admit(key: "k", nowMs: noon, rate: nil, capacity: 1, requestsPerDay: 3, tokensPerDay: 100).admitted) }
            let exhausted = try await store.limits.admit(key: "k", nowMs: noon, rate: nil, capacity: 1, requestsPerDay: 3, tokensPerDay: 100)
            #expect(exhausted.reason == "daily_requests_exhausted" && exhausted.retryAfterSeconds == 43_200)
            // Tokens: charged after the response; at the quota the next request is refused.
            #expect(try await store.limits.admit(key: "t", nowMs: noon, rate: nil, capacity: 1, requestsPerDay: nil, tokensPerDay: 100).admitted)
            try await store.limits.recordUsage(key: "t", tokens: 60, nowMs: noon)
            #expect(try await store.limits.admit(key: "t", nowMs: noon, rate: nil, capacity: 1, requestsPerDay: nil, tokensPerDay: 100).admitted)
            try await store.limits.recordUsage(key: "t", tokens: 60, nowMs: noon)
            #expect(try await store.limits.admit(key: "t", nowMs: noon, rate: nil, capacity: 1, requestsPerDay: nil, tokensPerDay: 100).reason == "daily_tokens_exhausted")
            // The next UTC day starts from zero.
            #expect(try await store.limits.admit(key: "k", nowMs: day + 86_400_000 + 1, rate: nil, capacity: 1, requestsPerDay: 3, tokensPerDay: 100).admitted)
            #expect(try await store.limits.admit(key: "t", nowMs: day + 86_400_000 + 1, rate: nil, capacity: 1, requestsPerDay: nil, tokensPerDay: 100).admitted)
        }
    }

    /// Two replicas, 60 concurrent requests against a bucket of 10 that barely refills: exactly 10 get through.
    @Test(arguments: postgres)
    func replicasShareOneBucket(_ backend: TestBackend) async throws {
        try await backend.withStore { a, location in
            let b = try await location.open()
            let now: Int64 = 1_800_000_000_000
            let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<60 {
                    let store = i % 2 == 0 ? a : b
                    group.addTask {
                        try await store.limits.admit(key: "shared", nowMs: now, rate: 0.001, capacity: 10, requestsPerDay: nil, tokensPerDay: nil).admitted
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(admitted == 10)
            await b.close()
        }
    }

    @Test func sqliteHasNoSharedLimits() async throws {
        try await TestBackend.sqlite.withStore { store, _ in
            await #expect(throws: StoreError.self) {
                try await store.limits.admit(key: "k", nowMs: 0, rate: 1, capacity: 1, requestsPerDay: nil, tokensPerDay: nil)
            }
        }
    }
}
