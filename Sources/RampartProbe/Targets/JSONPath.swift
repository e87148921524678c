import Foundation
import NIOCore
import RampartCore
import RampartML

/// A small JSONPath: `$`, `.key`, `['key']`, `[index]` and `[*]` (every element or member), e.g.
/// `$.predictions[*].scores`.
public struct JSONPath: Sendable, CustomStringConvertible {
    enum Step: Sendable { case key(String), index(Int), all }

    public let description: String
    let steps: [Step]

    public init(_ text: String) throws(ProbeError) {
        description = text
        var steps: [Step] = []
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard rest.hasPrefix("$") else { throw .unsuitableTarget("JSON path \(text) must start with $") }
        rest = rest.dropFirst()
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                if rest.first == "*" { steps.append(.all); rest = rest.dropFirst(); continue }
                let key = rest.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { throw .unsuitableTarget("JSON path \(text): a name is missing after a dot") }
                steps.append(.key(String(key)))
                rest = rest.dropFirst(key.count)
            } else if first == "[" {
                guard let close = rest.firstIndex(of: "]") else { throw .unsuitableTarget("JSON path \(text): a [ is not closed") }
                let inside = rest[rest.index(after: rest.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                if inside == "*" {
                    steps.append(.all)
                } else if let index = Int(inside), index >= 0 {
                    steps.append(.index(index))
                } else if inside.count >= 2, let quote = inside.first, quote == "'" || quote == "\"", inside.last == quote {
                    steps.append(.key(String(inside.dropFirst().dropLast())))
                } else {
                    throw .unsuitableTarget("JSON path \(text): [\(inside)] is not [*], an index or a quoted name")
                }
                rest = rest[rest.index(after: close)...]
            } else {
                throw .unsuitableTarget("JSON path \(text): unexpected \(first); use .name, [index], ['name'] or [*]")
            }
        }
        self.steps = steps
    }

    /// Every value the path reaches, in document order.
    public func select(_ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            var next: [JSONValue] = []
            for value in current {
                switch step {
                case .key(let key): if let member = value[key] { next.append(member) }
                case .index(let index): if let array = value.arrayValue, index < array.count { next.append(array[index]) }
                case .all:
                    if let array = value.arrayValue { next += array }
                    if case .object(let members) = value { next += members.map(\.value) }
                }
            }
            current = next
        }
        return current
    }
}
