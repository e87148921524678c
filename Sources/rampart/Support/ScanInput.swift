import ArgumentParser
import Foundation
import RampartCore
import RampartText

/// Reading scan inputs with a size bound, so a huge or endless input cannot exhaust memory.
enum ScanInput {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(path: String, maxBytes: Int) throws(Failure) -> Data {
        let handle: FileHandle
        if path == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw Failure(description: "cannot read \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
            }
            handle = opened
        }
        var data = Data()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw Failure(description: "cannot read \(path == "-" ? "standard input" : path): \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            data.append(chunk)
            if data.count > maxBytes {
                throw Failure(description: "\(path == "-" ? "standard input" : path) is larger than --max-bytes (\(maxBytes) bytes); split it, or raise --max-bytes")
            }
        }
        return data
    }

    static func firstInvalidUTF8(_ data: Data) -> Int {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var offset = 0
        var consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
                offset = consumed
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}
