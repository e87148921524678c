import Foundation

extension TextScanner {
    /// Runs `work` (which scans with this scanner) over `items` on every core, results in the items' order — how a
    /// corpus is scanned a batch at a time. The scanner holds no mutable state, so the workers share it.
    ///
    /// ```swift
    /// let findings = await scanner.scanConcurrently(texts) { scanner, text in scanner.scan(text) }
    /// ```
    public func scanConcurrently<Item: Sendable, Result: Sendable>(
        _ items: [Item], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        _ work: @escaping @Sendable (TextScanner, Item) -> Result
    ) async -> [Result] {
        guard !items.isEmpty else { return [] }
        let scanner = self
        let chunk = (items.count + max(1, workers) - 1) / max(1, workers)
        return await withTaskGroup(of: (Int, [Result]).self) { group in
            for (index, start) in stride(from: 0, to: items.count, by: chunk).enumerated() {
                let slice = Array(items[start..<min(items.count, start + chunk)])
                group.addTask { (index, slice.map { work(scanner, $0) }) }
            }
            var parts: [(Int, [Result])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
