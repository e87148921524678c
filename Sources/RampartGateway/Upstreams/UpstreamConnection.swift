import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// One request/response on a connection.
struct UpstreamExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var mode: UpstreamClient.Mode
    var headTimeout: TimeAmount
    var idleTimeout: TimeAmount
}

/// A pooled connection and its handler.
final class UpstreamConnection: Sendable {
    let channel: any Channel
    let handler: UpstreamHandler

    init(channel: any Channel, handler: UpstreamHandler) {
        self.channel = channel
        self.handler = handler
    }

    var isUsable: Bool { channel.isActive }

    func run(_ exchange: UpstreamExchange, onReusable: @escaping @Sendable (UpstreamConnection) -> Void) async throws -> UpstreamResponse {
        let promise = channel.eventLoop.makePromise(of: UpstreamResponse.self)
        let handler = self.handler
        let start: @Sendable () -> Void = { [self] in
            handler.start(exchange, promise: promise) { reusable in
                if reusable { onReusable(self) } else { self.channel.close(promise: nil) }
            }
        }
        if channel.eventLoop.inEventLoop { start() } else { channel.eventLoop.execute(start) }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            self.channel.close(promise: nil)
        }
    }
}
