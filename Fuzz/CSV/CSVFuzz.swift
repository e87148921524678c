// libFuzzer target for the CSV reader of `rampart probe`'s data files (RampartML's Dataset).
// Built and run by Fuzz/run.sh (the `fuzz-csv` product). Invariants: never crash; what parses is rectangular, finite, with integer labels.
import Foundation
import FuzzDriver
import RampartML

func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    guard let set = try? Dataset.parse(bytes, name: "fuzz.csv") else { return 0 }
    guard set.rows.count == set.labels.count, !set.rows.isEmpty,
          set.rows.allSatisfy({ $0.count == set.features.count && $0.allSatisfy(\.isFinite) })
    else { fatalError("a parsed data set is not rectangular and finite") }
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzzCSV) }
}
