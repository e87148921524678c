import ArgumentParser
import Foundation
import RampartCore
import RampartText

/// Lines of a file (or standard input), read in 1 MiB blocks; a line longer than `maxLineBytes` is skipped
/// (reported as `TooLong`) without being held in memory.
final class LineReader {
    struct TooLong: Error { let limit: Int }

    private let handle: FileHandle
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the search for the next newline resumes: bytes before it hold none.
    private var searched = 0
    private var eof = false
    private var skipping = false

    init(path: String, maxLineBytes: Int) throws(ScanInput.Failure) {
        if path == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: path) else {
                throw ScanInput.Failure(description: "cannot read \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
            }
            handle = opened
        }
        self.maxLineBytes = maxLineBytes
    }

    func next() -> Result<[UInt8], TooLong>? {
        while true {
            if let newline = buffer[max(position, searched)...].firstIndex(of: 0x0A) {
                let line = Array(buffer[position..<newline])
                position = newline + 1
                searched = position
                if skipping { skipping = false; return .failure(TooLong(limit: maxLineBytes)) }
                return line.count > maxLineBytes ? .failure(TooLong(limit: maxLineBytes)) : .success(line)
            }
            searched = buffer.count
            if buffer.count - position > maxLineBytes {
                skipping = true
                buffer.removeAll(keepingCapacity: true)
                position = 0
                searched = 0
            }
            if eof {
                guard position < buffer.count || skipping else { return nil }
                let line = Array(buffer[position...])
                buffer.removeAll()
                position = 0
                searched = 0
                if skipping { skipping = false; return .failure(TooLong(limit: maxLineBytes)) }
                return .success(line)
            }
            if position > 0 {
                buffer.removeSubrange(0..<position)
                searched -= position
                position = 0
            }
            let chunk = (try? handle.read(upToCount: 1 << 20)) ?? nil
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { eof = true }
        }
    }
}
