/// A set of lower-case words held as 64-bit FNV-1a hashes in an open-addressing table: what the name and address
/// gazetteers are looked up in, once per word of the text. Building it from the generated name lists reads bytes
/// (no `Character` splitting) and a lookup is one multiply per byte plus a probe or two — where `Set<String>` spent
/// a SipHash and a string comparison, and building the 53,000 names took a noticeable part of a short scan.
///
/// A false match needs two different words with one 64-bit hash: far rarer than a misspelled name.
struct WordSet: Sendable {
    private var keys: [UInt64]
    private let mask: Int

    /// The hash a word is looked up by: FNV-1a over its UTF-8 bytes (never 0, which marks an empty slot).
    @inline(__always) static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h == 0 ? 1 : h
    }

    init(hashes: [UInt64]) {
        var capacity = 16
        while capacity < hashes.count * 2 { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        for h in hashes {
            var slot = Int(truncatingIfNeeded: h >> 29) & mask
            while keys[slot] != 0, keys[slot] != h { slot = (slot + 1) & mask }
            keys[slot] = h
        }
    }

    init(_ words: [String]) {
        self.init(hashes: words.map { Self.hash($0.lowercased().utf8) })
    }

    /// Words separated by spaces or line breaks (the generated name lists).
    init(list: String) {
        var hashes: [UInt64] = []
        hashes.reserveCapacity(list.utf8.count / 7)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var empty = true
        for b in list.utf8 {
            if b == 0x20 || b == 0x0A {
                if !empty { hashes.append(h == 0 ? 1 : h) }
                h = 0xcbf2_9ce4_8422_2325
                empty = true
            } else {
                h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
                empty = false
            }
        }
        if !empty { hashes.append(h == 0 ? 1 : h) }
        self.init(hashes: hashes)
    }

    @inline(__always) func contains(hash h: UInt64) -> Bool {
        var slot = Int(truncatingIfNeeded: h >> 29) & mask
        while true {
            let k = keys[slot]
            if k == h { return true }
            if k == 0 { return false }
            slot = (slot + 1) & mask
        }
    }

    func contains(_ word: String) -> Bool { contains(hash: Self.hash(word.utf8)) }
}

extension WordSet: ExpressibleByArrayLiteral {
    init(arrayLiteral elements: String...) { self.init(elements) }
}
