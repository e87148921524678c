public enum MerkleError: Error, Equatable, CustomStringConvertible {
    case sizeBeyondTree(size: Int, treeSize: Int)
    case leafBeyondSize(leaf: Int, size: Int)
    case sizesOutOfOrder(old: Int, new: Int)
    case badFrontier(size: Int, peaks: Int)
    /// A proof that does not lead to the root it should.
    case proofFailed(String)

    public var description: String {
        switch self {
        case let .sizeBeyondTree(size, treeSize): "tree size \(size) is beyond the log's \(treeSize) entries"
        case let .leafBeyondSize(leaf, size): "entry \(leaf) is not in a tree of \(size) entries (entries count from 0)"
        case let .sizesOutOfOrder(old, new): "consistency needs 0 ≤ from ≤ to, got from \(old) to \(new)"
        case let .badFrontier(size, peaks): "a tree of \(size) entries has \(size.nonzeroBitCount) peaks, not \(peaks)"
        case let .proofFailed(why): "proof does not verify: \(why)"
        }
    }
}
