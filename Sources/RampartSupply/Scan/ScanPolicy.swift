import Foundation
import Yams

/// `rampart model scan --policy FILE`: whether `suspicious` files fail the scan, and names the organisation has
/// reviewed (allowed) or forbids (denied), as `module.name` or `module.*`.
///
/// ```yaml
/// suspicious: fail        # or pass
/// allow: [mypackage.layers.Scale, mypackage.models.*]
/// deny: [numpy.load]
/// ```
public struct ScanPolicy: Sendable, Equatable {
    public var failOnSuspicious = true
    public var allowed: Set<String> = []
    public var denied: Set<String> = []

    public init() {}

    public var globals: GlobalPolicy { GlobalPolicy(allowed: allowed, denied: denied) }

    /// Whether `report` passes: nothing malicious or malformed, and nothing suspicious unless the policy lets it pass.
    public func passes(_ report: ScanReport) -> Bool {
        report.files.allSatisfy { $0.verdict == .clean || ($0.verdict == .suspicious && !failOnSuspicious) }
    }

    public static func load(_ text: String, source: String) throws(ScanFailure) -> ScanPolicy {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw .malformed("\(source): not YAML: \(error)") }
        var policy = ScanPolicy()
        guard let node else { return policy }
        guard let mapping = node.mapping else { throw .malformed("\(source): expected a mapping with suspicious, allow and deny") }
        for (key, value) in mapping {
            let line = key.mark.map { ":\($0.line)" } ?? ""
            switch key.string {
            case "suspicious":
                switch value.string {
                case "fail": policy.failOnSuspicious = true
                case "pass": policy.failOnSuspicious = false
                default: throw .malformed("\(source)\(line): suspicious must be `fail` or `pass`, not `\(value.string ?? "?")`")
                }
            case "allow", "deny":
                guard let items = value.sequence else { throw .malformed("\(source)\(line): \(key.string ?? "") must be a list of names like module.name or module.*") }
                var names: Set<String> = []
                for item in items {
                    guard let name = item.string, name.contains("."), !name.hasPrefix("."), !name.hasSuffix(".") else {
                        throw .malformed("\(source)\(item.mark.map { ":\($0.line)" } ?? ""): `\(item.string ?? "?")` is not module.name or module.*")
                    }
                    names.insert(name)
                }
                if key.string == "allow" { policy.allowed = names } else { policy.denied = names }
            default:
                throw .malformed("\(source)\(line): unknown key `\(key.string ?? "?")`; the keys are suspicious, allow and deny")
            }
        }
        return policy
    }
}
