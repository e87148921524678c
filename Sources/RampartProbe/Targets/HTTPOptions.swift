import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RampartCore

/// How the probe talks to an HTTP target.
public struct HTTPOptions: Sendable {
    /// Extra request headers, e.g. `Authorization: Bearer …` (never logged or written to a report).
    public var headers: [(name: String, value: String)]
    /// Per request, from connecting to the last byte of the answer.
    public var timeout: Duration
    /// Retries of a request that failed in transit (connection refused or reset, timeout, 502/503/504), with
    /// exponential backoff and jitter.
    public var retries: Int
    /// Longest total wait one request accepts from `429 Too Many Requests` (`Retry-After`, else backoff); a server
    /// that asks for more — a spent daily quota — ends the attack as `ProbeError.refused`.
    public var maxRetryWait: Duration
    /// Larger answers are refused.
    public var maxResponseBytes: Int

    public init(headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30), retries: Int = 4,
                maxRetryWait: Duration = .seconds(120), maxResponseBytes: Int = 64 << 20) {
        self.headers = headers
        self.timeout = timeout
        self.retries = retries
        self.maxRetryWait = maxRetryWait
        self.maxResponseBytes = maxResponseBytes
    }
}
