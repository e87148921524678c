import ServiceLifecycle

extension Service {
    /// Runs `body` every `interval` until graceful shutdown begins — right away and then after each pause, or after
    /// the first pause when `immediately` is false. The pause is cut short by the shutdown.
    func repeatUntilShutdown(every interval: Duration, immediately: Bool = true, _ body: @escaping @Sendable () async -> Void) async {
        await cancelWhenGracefulShutdown {
            var first = true
            while !Task.isCancelled {
                if !first || immediately { await body() }
                first = false
                try? await Task.sleep(for: interval)
            }
        }
    }
}
