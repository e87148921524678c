/// The gateway cannot start with this configuration.
public struct GatewayStartError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
