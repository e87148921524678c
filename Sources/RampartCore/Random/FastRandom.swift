import Foundation

/// Unpredictable random numbers without a system call per draw: glibc's `arc4random` (a ChaCha20 generator
/// seeded from the kernel) where it exists, the system generator elsewhere. For identifiers, not for keys.
struct FastRandom: RandomNumberGenerator {
    mutating func next() -> UInt64 {
        #if canImport(Glibc)
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { arc4random_buf($0.baseAddress!, 8) }
        return value
        #else
        var system = SystemRandomNumberGenerator()
        return system.next()
        #endif
    }
}
