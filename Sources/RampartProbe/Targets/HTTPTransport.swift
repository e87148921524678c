import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import RampartCore

/// Requests over async-http-client's shared pool (HTTP/1.1 keep-alive, `TCP_NODELAY`), with the retry rules of
/// `HTTPOptions`. Counts what it did, for reports.
final class HTTPTransport: Sendable {
    let options: HTTPOptions
    private let counters = Counters()

    init(options: HTTPOptions) {
        self.options = options
    }

    /// Requests sent (including retries), retries after a transient failure, and waits asked for by 429s.
    var statistics: (requests: Int, retries: Int, throttled: Int) { counters.read() }

    /// Sends one request and returns the status and body of a 2xx answer.
    ///
    /// - Throws: `ProbeError.targetFailed` when the target stays unreachable or broken after the retries;
    ///   `ProbeError.refused` for any other 4xx (and for a 429 that asks to wait too long), with the server's message.
    func send(_ method: HTTPMethod, _ url: String, body: String?) async throws(ProbeError) -> ByteBuffer {
        var attempt = 0, throttledAttempts = 0
        var waited = Duration.zero
        var delay = Duration.milliseconds(100)
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = method
            for header in options.headers { request.headers.add(name: header.name, value: header.value) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            counters.add(requests: 1)
            let outcome: Result<(HTTPResponseStatus, HTTPHeaders, ByteBuffer), any Error>
            do {
                let response = try await Self.client.execute(request, timeout: .nanoseconds(Int64(options.timeout.nanoseconds)))
                // The deadline above ends with the response head; a body trickling in gets the same time again.
                let limit = options.maxResponseBytes, timeout = options.timeout
                let bytes = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                    group.addTask { try await response.body.collect(upTo: limit) }
                    group.addTask { try await Task.sleep(for: timeout); return nil }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    guard let first else { throw HTTPClientError.deadlineExceeded }
                    return first
                }
                outcome = .success((response.status, response.headers, bytes))
            } catch let error as NIOTooManyBytesError {
                throw .targetFailed("\(url) answered more than \(options.maxResponseBytes) bytes (\(error))")
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let (status, headers, bytes)) where (200..<300).contains(status.code):
                _ = headers
                return bytes
            case .success(let (status, headers, bytes)) where status == .tooManyRequests:
                let (code, message) = Self.errorText(bytes)
                // At least the backoff delay, so `Retry-After: 0` cannot turn into a tight loop against the server.
                let ask = Swift.max(headers.first(name: "Retry-After").flatMap(Self.retryAfter) ?? delay, delay)
                throttledAttempts += 1
                guard waited + ask <= options.maxRetryWait, throttledAttempts <= 1000 else {
                    throw .refused(status: 429, code: code, message: "\(redact(message)) (it asks to wait \(Self.seconds(ask)); at most \(Self.seconds(options.maxRetryWait)) in all is accepted)")
                }
                counters.add(throttled: 1)
                waited += ask
                delay = Swift.min(delay * 2, .seconds(10))
                try await Self.sleep(ask)
                continue
            case .success(let (status, _, bytes)) where [502, 503, 504].contains(status.code) && attempt < options.retries:
                _ = bytes
            case .success(let (status, _, bytes)):
                let (code, message) = Self.errorText(bytes)
                if status.code >= 500 { throw .targetFailed("\(url) failed with HTTP \(status.code)\(code.map { " (\($0))" } ?? ""): \(redact(message))") }
                throw .refused(status: Int(status.code), code: code, message: redact(message))
            case .failure(let error) where attempt < options.retries && !(error is CancellationError) && !Self.isLocal(error):
                _ = error
            case .failure(let error):
                throw .targetFailed("cannot reach \(url) after \(attempt + 1) attempts: \(redact(Self.describe(error))). Is the server running, and is the URL right?")
            }
            attempt += 1
            counters.add(retries: 1)
            let jitter = Double.random(in: 0.5...1.0)
            try await Self.sleep(delay * jitter)
            delay = Swift.min(delay * 2, .seconds(10))
        }
    }

    /// One client for the process (like `HTTPClient.shared`, never shut down), except that a failed connection fails
    /// the request at once: the transport's own retries, with backoff, decide what happens next — async-http-client's
    /// default keeps reconnecting until the request's deadline (30 s to report a closed port).
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    private static func sleep(_ duration: Duration) async throws(ProbeError) {
        do { try await Task.sleep(for: duration) } catch { throw .targetFailed("cancelled") }
    }

    /// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    static func retryAfter(_ value: String) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return .milliseconds(Int64(Swift.max(0, date.timeIntervalSinceNow) * 1000))
    }

    /// The code and message of an error body in KServe's (`{"error": "…", "code": …}`) or OpenAI's
    /// (`{"error": {"message", "code"}}`) shape, else the body's first 200 characters.
    static func errorText(_ body: ByteBuffer) -> (code: String?, message: String) {
        let bytes = body.readableBytesView
        if let json = try? JSONValue.parse(bytes), let error = json["error"] {
            if let message = error.stringValue { return (json["code"]?.stringValue, message) }
            if let message = error["message"]?.stringValue { return (error["code"]?.stringValue, message) }
        }
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return (nil, text.isEmpty ? "(empty body)" : text)
    }

    static func seconds(_ duration: Duration) -> String {
        let s = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1f s", s)
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connecting timed out"
            case .deadlineExceeded, .readTimeout: return "the answer timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            // Its description quotes the offending header values: a bearer token with a stray CR would be printed.
            default: return error.shortDescription
            }
        }
        return "\(error)"
    }

    /// Errors found before anything was sent (a malformed header or URL): retrying cannot help.
    static func isLocal(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        let local: [HTTPClientError] = [.invalidURL, .emptyHost, .emptyScheme, .unsupportedScheme(""), .invalidHeaderFieldNames([]),
                                        .invalidHeaderFieldValues([])]
        return local.contains { $0.shortDescription == error.shortDescription }
    }

    /// `text` without any header value this transport sends (a server may echo a key in its error message).
    func redact(_ text: String) -> String {
        options.headers.reduce(text) { text, header in
            header.value.count >= 8 ? text.replacingOccurrences(of: header.value, with: "[redacted]") : text
        }
    }

    /// Thread-safe counters (a lock, not an actor: they are bumped from inside `send`'s synchronous parts).
    private final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        private var requests = 0, retries = 0, throttled = 0

        func add(requests: Int = 0, retries: Int = 0, throttled: Int = 0) {
            lock.lock()
            self.requests += requests
            self.retries += retries
            self.throttled += throttled
            lock.unlock()
        }

        func read() -> (requests: Int, retries: Int, throttled: Int) {
            lock.lock()
            defer { lock.unlock() }
            return (requests, retries, throttled)
        }
    }
}

extension Duration {
    var nanoseconds: Double {
        Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9
    }
}
