import Foundation
import RampartCore
import RampartStore
import SQLKit

extension Store {
    /// Runs SQL behind the store's back, as someone with access to the database could: for tamper tests.
    public func rawForTesting(_ sql: SQLQueryString) async throws {
        try await writeDBForTesting.raw(sql).run()
    }

    /// Removes the append-only guards (SQLite triggers, PostgreSQL trigger), as an attacker with the database could.
    public func dropAppendOnlyGuardsForTesting() async throws {
        if dialect == "postgresql" {
            for table in ["decisions", "ledger_entries", "ledger_checkpoints"] {
                try await rawForTesting("DROP TRIGGER \(unsafeRaw: table)_append_only ON \(unsafeRaw: table)")
            }
        } else {
            for table in ["decisions", "ledger_entries", "ledger_checkpoints"] {
                for action in ["update", "delete"] { try await rawForTesting("DROP TRIGGER \(unsafeRaw: table)_append_only_\(unsafeRaw: action)") }
            }
        }
    }
}
