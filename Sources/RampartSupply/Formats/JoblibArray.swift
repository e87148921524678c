/// joblib's arrays (`joblib.dump`): each NumPy array is pickled as a `NumpyArrayWrapper` whose state gives the
/// shape and dtype, and the array's bytes follow the wrapper's BUILD in the stream — raw (after a padding byte and
/// padding, from joblib 0.12 on) or, for object arrays, as a pickle of their own. The scanner skips the raw bytes
/// by the size the state gives, and scans the pickled ones.
enum JoblibArray {
    static let wrapperClasses: Set<String> = [
        "joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
    ]

    static func skipPayload(of node: PickleNode, in machine: PickleMachine) throws(ScanFailure) {
        guard case .node(let state)? = node.state, case .dict = state.kind else {
            throw .malformed("a joblib array wrapper whose state is not a dict")
        }
        guard let shapeValue = state.value(forKey: "shape"), let dtypeValue = state.value(forKey: "dtype") else {
            throw .malformed("a joblib array wrapper without a shape and a dtype")
        }
        let dtype = try Self.dtype(dtypeValue)
        let reader = machine.streamReader
        if dtype.isObject {
            // `pickle.load` on the same file: a whole pickle of the array's objects.
            _ = try machine.next().run()
            return
        }
        guard case .tuple(let dims) = shapeValue else { throw .malformed("a joblib array shape that is not a tuple") }
        var count = 1
        for d in dims {
            guard let n = d.integer, n >= 0 else { throw .malformed("a joblib array dimension that is not a non-negative integer") }
            let (p, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw .malformed("a joblib array whose element count overflows") }
            count = p
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw .malformed("a joblib array whose size overflows") }
        if let alignment = state.value(forKey: "numpy_array_alignment_bytes"), case .int = alignment {
            let padding = try reader.byte()
            try reader.skip(Int64(padding))
        }
        try reader.skip(Int64(bytes))
    }

    /// The dtype a wrapper's state holds: `numpy.dtype('<f8', False, True)` with its BUILD state, whose sixth field
    /// is the element size for structured and string types.
    static func dtype(_ value: PickleValue) throws(ScanFailure) -> NumPyDType {
        guard case .node(let node) = value, case .call(let callee) = node.kind, let g = callee.globalName,
              g.name == "dtype", g.module == "numpy" || g.module.hasPrefix("numpy."),
              case .tuple(let args)? = node.args, let descr = args.first?.text else {
            throw .malformed("a joblib array wrapper whose dtype is not a numpy.dtype")
        }
        if case .tuple(let s)? = node.state, s.count > 5, let size = s[5].integer, size > 0 {
            return NumPyDType(itemSize: size, isObject: descr.hasPrefix("O") || descr.hasPrefix("|O"))
        }
        return try NumPyDType(typeString: descr)
    }
}
