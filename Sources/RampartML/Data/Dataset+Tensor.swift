extension Dataset {
    /// The rows as one `n × features` tensor.
    public var tensor: Tensor { try! Tensor(shape: [count, features.count], data: rows.flatMap { $0 }) }
}
