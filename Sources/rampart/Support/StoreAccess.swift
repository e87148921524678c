import ArgumentParser
import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// Runs `body` with the store named by the config, closes it, and turns store failures into the documented exit
/// codes: 1 for `not_found`, 69 for everything else.
func withStore<T>(_ config: RampartConfig, mustExist: Bool, _ body: (Store) async throws -> T) async -> T {
    if mustExist && config.store.postgres == nil && !FileManager.default.fileExists(atPath: config.store.sqlite) {
        CLI.fail("no store at \(config.store.sqlite) yet: run `rampart serve` or `rampart keys create` first", code: Exit.unavailable)
    }
    let store: Store
    do {
        store = try await Store.open(config.store)
    } catch {
        CLI.fail("\(error)", code: Exit.unavailable)
    }
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        if let error = error as? StoreError, error.code == "not_found" { CLI.fail(error.message, code: Exit.notFound) }
        CLI.fail("\(error)", code: Exit.unavailable)
    }
}

/// Opens the ledger of `config` (and its signing key, if configured; creating the store when `creates`); exits 2 on
/// errors when `verifyExit` is set (the documented codes of `verify` and `check-proof`), else with the CLI's usual codes.
func withLedger<T>(_ config: RampartConfig, needsKey: Bool = false, verifyExit: Bool = false, creates: Bool = false,
                   _ body: (RampartLedger.Ledger) async throws -> T) async -> T {
    var key: LedgerSigningKey?
    // The configured key must exist; the default one beside a SQLite store is used when `rampart serve` has made it.
    if let path = config.signingKeyPath, !config.signingKeyIsDefault || FileManager.default.fileExists(atPath: path) {
        do {
            key = try LedgerSigningKey.load(name: config.ledger.origin, path: path)
        } catch {
            // The default key is serve's: a command that only reads (verify, prove) goes on without it when this user
            // cannot load it, and checks signatures with --key when given.
            guard config.signingKeyIsDefault, !needsKey else { CLI.fail("\(error)", code: verifyExit ? ExitCode(2) : Exit.dataError) }
            FileHandle.standardError.write(Data("rampart: note: \(error)\n".utf8))
        }
    } else if needsKey {
        let made = config.signingKeyPath.map { "`rampart serve` creates \($0) on its first start, or " } ?? ""
        CLI.fail("no signing key: \(made)create one with `rampart ledger keygen --out ledger.pem` and set `ledger: { signing_key: ledger.pem }` in the config",
                 code: Exit.dataError)
    }
    if !creates && config.store.postgres == nil && !FileManager.default.fileExists(atPath: config.store.sqlite) {
        CLI.fail("no store at \(config.store.sqlite) yet: run `rampart serve` or `rampart keys create` first", code: verifyExit ? ExitCode(2) : Exit.unavailable)
    }
    let store: Store
    do {
        store = try await Store.open(config.store)
    } catch {
        CLI.fail("\(error)", code: verifyExit ? ExitCode(2) : Exit.unavailable)
    }
    do {
        let ledger = try await RampartLedger.Ledger.open(store: store, origin: config.ledger.origin, signingKey: key)
        let result = try await body(ledger)
        await store.close()
        return result
    } catch {
        await store.close()
        let code: ExitCode
        switch error {
        case LedgerError.notFound: code = Exit.notFound
        case LedgerError.tampered: code = ExitCode(1)
        case LedgerError.config: code = Exit.dataError
        default: code = Exit.unavailable
        }
        CLI.fail("\(error)", code: verifyExit && code != ExitCode(1) ? ExitCode(2) : code)
    }
}
