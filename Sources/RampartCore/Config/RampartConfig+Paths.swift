import Foundation

extension RampartConfig {
    /// The config with its file paths — the SQLite store, the ledger's signing key, CA files, model files — made
    /// absolute against `folder` (the config file's), so the same config works from any working directory.
    public func resolvingPaths(relativeTo folder: String) -> RampartConfig {
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : (folder as NSString).appendingPathComponent(path) }
        var config = self
        config.store.sqlite = resolve(config.store.sqlite)
        config.ledger.signingKey = config.ledger.signingKey.map(resolve)
        for index in config.routes.indices {
            config.routes[index].upstreamCAFile = config.routes[index].upstreamCAFile.map(resolve)
            // A kserve route has no model file (its model is on the remote server).
            if config.routes[index].kind == .model, let model = config.routes[index].classifier?.model {
                config.routes[index].classifier?.model = resolve(model)
            }
        }
        return config
    }
}
