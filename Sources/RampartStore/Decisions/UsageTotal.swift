import Foundation
import PostgresNIO
import RampartCore
import SQLKit
import SQLiteNIO
import Synchronization

/// Admitted requests and tokens of one key on one route over a period.
public struct UsageTotal: Sendable, Equatable {
    public var keyID: String
    public var route: String
    public var requests: Int
    public var tokens: Int

    public init(keyID: String, route: String, requests: Int, tokens: Int) {
        self.keyID = keyID
        self.route = route
        self.requests = requests
        self.tokens = tokens
    }
}
