import NIOCore
import NIOHTTP1

/// Runs one exchange at a time on an upstream connection. Every method runs on the channel's event loop
/// (`start` is called there by ``UpstreamConnection/run(_:onReusable:)``), which is what makes the
/// `@unchecked Sendable` sound.
final class UpstreamHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private struct Active {
        var exchange: UpstreamExchange
        var promise: EventLoopPromise<UpstreamResponse>
        var done: (Bool) -> Void
    }

    private enum State {
        case idle
        case waitingHead(Active)
        case collecting(Active, head: HTTPResponseHead, body: ByteBuffer, limit: Int)
        case streaming(Active, keepAlive: Bool, source: UpstreamBodyStream.Source)
        case closed
    }

    /// Backpressure from the consumer of a streamed body, tagged with the exchange it belongs to.
    struct Delegate: NIOAsyncSequenceProducerDelegate, Sendable {
        let handler: UpstreamHandler
        let loop: any EventLoop
        let generation: Int

        func produceMore() {
            loop.execute { self.handler.resumeReading(generation) }
        }

        func didTerminate() {
            loop.execute { self.handler.consumerStopped(generation) }
        }
    }

    private var context: ChannelHandlerContext?
    private var state: State = .idle
    private var generation = 0
    private var timer: Scheduled<Void>?
    private var responseStarted = false
    private var wantsMore = true
    private var pendingRead = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func start(_ exchange: UpstreamExchange, promise: EventLoopPromise<UpstreamResponse>, done: @escaping (Bool) -> Void) {
        guard let context, context.channel.isActive, case .idle = state else {
            promise.fail(UpstreamError(kind: .broken, detail: "the connection closed while idle"))
            done(false)
            return
        }
        generation += 1
        responseStarted = false
        wantsMore = true
        pendingRead = false
        state = .waitingHead(Active(exchange: exchange, promise: promise, done: done))
        arm(exchange.headTimeout, context: context)
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            responseStarted = true
            if head.status.code >= 100 && head.status.code < 200 && head.status != .switchingProtocols { return }
            guard case .waitingHead(let active) = state else {
                return fail(UpstreamError(kind: .protocolError, detail: "a response arrived that no request asked for", responseStarted: true))
            }
            arm(active.exchange.idleTimeout, context: context)
            switch active.exchange.mode {
            case .collect(let maxBytes):
                if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                    return fail(UpstreamError(kind: .tooLarge, detail: "response of \(length) bytes", responseStarted: true))
                }
                state = .collecting(active, head: head, body: context.channel.allocator.buffer(capacity: 0), limit: maxBytes)
            case .stream:
                let produced = UpstreamBodyStream.makeSequence(
                    elementType: ByteBuffer.self, failureType: (any Error).self,
                    backPressureStrategy: .init(lowWatermark: 2, highWatermark: 16), finishOnDeinit: false,
                    delegate: Delegate(handler: self, loop: context.eventLoop, generation: generation))
                state = .streaming(active, keepAlive: head.isKeepAlive, source: produced.source)
                active.promise.succeed(UpstreamResponse(status: Int(head.status.code), headers: head.headers, body: .stream(produced.sequence)))
            }
        case .body(var buffer):
            switch state {
            case .collecting(let active, let head, var body, let limit):
                guard body.readableBytes + buffer.readableBytes <= limit else {
                    return fail(UpstreamError(kind: .tooLarge, detail: "response over \(limit) bytes", responseStarted: true))
                }
                state = .idle  // drop the reference so the write below does not copy
                body.writeBuffer(&buffer)
                state = .collecting(active, head: head, body: body, limit: limit)
                arm(active.exchange.idleTimeout, context: context)
            case .streaming(let active, _, let source):
                switch source.yield(buffer) {
                case .produceMore: break
                case .stopProducing: wantsMore = false
                case .dropped: return fail(UpstreamError(kind: .broken, detail: "the reader went away", responseStarted: true))
                }
                arm(active.exchange.idleTimeout, context: context)
            default:
                fail(UpstreamError(kind: .protocolError, detail: "body bytes outside a response", responseStarted: true))
            }
        case .end:
            cancelTimer()
            switch state {
            case .collecting(let active, let head, let body, _):
                state = .idle
                active.promise.succeed(UpstreamResponse(status: Int(head.status.code), headers: head.headers, body: .complete(body)))
                active.done(head.isKeepAlive)
            case .streaming(let active, let keepAlive, let source):
                state = .idle
                source.finish()
                active.done(keepAlive)
            default:
                fail(UpstreamError(kind: .protocolError, detail: "end of a response that did not start", responseStarted: true))
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .streaming = state, !wantsMore {
            pendingRead = true
            return
        }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(UpstreamError(kind: .broken, detail: "the upstream closed the connection", responseStarted: responseStarted))
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let kind: UpstreamError.Kind = error is HTTPParserError ? .protocolError : .broken
        fail(UpstreamError(kind: kind, detail: "\(error)", responseStarted: responseStarted))
        state = .closed
        context.close(promise: nil)
    }

    private func resumeReading(_ generation: Int) {
        guard generation == self.generation, case .streaming = state else { return }
        wantsMore = true
        if pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    /// The consumer dropped a stream before its end (e.g. the client disconnected): abandon the connection.
    private func consumerStopped(_ generation: Int) {
        guard generation == self.generation, case .streaming = state else { return }
        fail(UpstreamError(kind: .broken, detail: "the reader stopped early", responseStarted: true))
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        timer?.cancel()
        let generation = self.generation
        timer = context.eventLoop.scheduleTask(in: timeout) { [self] in
            guard generation == self.generation else { return }
            switch state {
            case .waitingHead, .collecting, .streaming:
                fail(UpstreamError(kind: .timeout, detail: "no data for \(timeout.nanoseconds / 1_000_000) ms", responseStarted: responseStarted))
            default:
                break
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    /// Ends the current exchange with `error` and closes the connection (it is never reused after an error).
    private func fail(_ error: UpstreamError) {
        cancelTimer()
        let previous = state
        state = .closed
        switch previous {
        case .waitingHead(let active), .collecting(let active, _, _, _):
            active.promise.fail(error)
            active.done(false)
        case .streaming(let active, _, let source):
            source.finish(error)
            active.done(false)
        case .idle, .closed:
            break
        }
        context?.close(promise: nil)
    }
}
