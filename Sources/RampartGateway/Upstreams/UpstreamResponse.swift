import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A response from the upstream.
struct UpstreamResponse: Sendable {
    enum Body: Sendable {
        case complete(ByteBuffer)
        case stream(UpstreamBodyStream)
    }

    var status: Int
    var headers: HTTPHeaders
    var body: Body
}
