import Foundation
import Glibc
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import RampartCore
import SQLKit
import SQLiteKit
import Synchronization

/// Runs closures one at a time, in the order they were submitted (an async mutex that never blocks a thread).
public final class SerialGate: Sendable {
    private let last = Mutex<Task<Void, Never>?>(nil)

    public init() {}

    public func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = last.withLock { last -> Task<T, any Error> in
            let previous = last
            let task = Task<T, any Error> {
                await previous?.value
                return try await work()
            }
            last = Task { _ = try? await task.value }
            return task
        }
        return try await task.value
    }
}
