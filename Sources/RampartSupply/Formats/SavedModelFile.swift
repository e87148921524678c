/// TensorFlow SavedModel (`saved_model.pb`), walked as a protobuf stream: every op of every graph and function.
/// Ops that run Python (`PyFunc`), or read, write or list files on the serving machine, are what a poisoned
/// SavedModel uses; the save/restore ops every checkpoint carries are not.
enum SavedModelFile {
    static let dangerousOps: [String: String] = [
        "PyFunc": "runs Python code", "PyFuncStateless": "runs Python code", "EagerPyFunc": "runs Python code",
        "ReadFile": "reads files on the serving machine", "WriteFile": "writes files on the serving machine",
        "MatchingFiles": "lists files on the serving machine", "ImmutableConst": "maps a file from the serving machine into memory",
        "LoadAndRemapMatrix": "reads checkpoint files it names", "DebugIdentity": "writes debug dumps to files it names",
        "DebugIdentityV2": "writes debug dumps to files it names", "DebugNumericSummary": "writes debug dumps to files it names",
        "CreateSummaryFileWriter": "writes files it names",
    ]

    static func scan(_ input: ScanInput, in scan: ScanContext, location: String) throws(ScanFailure) -> String {
        var ops: [String: Int] = [:]
        var graphs = 0
        try ProtobufWire(reader: input.reader()).forEach { (number, field, sub) throws(ScanFailure) in
            // SavedModel.meta_graphs = 2 → MetaGraphDef.graph_def = 2.
            guard number == 2, case .delimited = field else { return }
            try ProtobufWire(reader: sub).forEach { (n, f, s) throws(ScanFailure) in
                guard n == 2, case .delimited = f else { return }
                graphs += 1
                try graphDef(s, &ops)
            }
        }
        guard graphs > 0 else { throw .malformed("a SavedModel without a graph") }
        for (op, count) in ops.sorted(by: { $0.key < $1.key }) {
            guard let why = dangerousOps[op] else { continue }
            scan.findings.add(Finding(op.contains("PyFunc") || op == "ReadFile" || op == "WriteFile" ? .malicious : .suspicious,
                                      "savedmodel.dangerous-op", "the graph uses \(op), which \(why) when the model is loaded or served",
                                      at: location.isEmpty ? "saved_model.pb" : location, count: count))
        }
        return "savedmodel"
    }

    /// GraphDef: 1 node (NodeDef: 2 op), 2 library (FunctionDefLibrary: 1 function → FunctionDef: 3 node_def).
    static func graphDef(_ reader: ByteReader, _ ops: inout [String: Int]) throws(ScanFailure) {
        try ProtobufWire(reader: reader).forEach { (number, field, sub) throws(ScanFailure) in
            guard case .delimited = field else { return }
            if number == 1 {
                try nodeDef(sub, &ops)
            } else if number == 2 {
                try ProtobufWire(reader: sub).forEach { (n, f, s) throws(ScanFailure) in
                    guard n == 1, case .delimited = f else { return }
                    try ProtobufWire(reader: s).forEach { (n2, f2, s2) throws(ScanFailure) in
                        if n2 == 3, case .delimited = f2 { try nodeDef(s2, &ops) }
                    }
                }
            }
        }
    }

    static func nodeDef(_ reader: ByteReader, _ ops: inout [String: Int]) throws(ScanFailure) {
        try ProtobufWire(reader: reader).forEach { (number, field, sub) throws(ScanFailure) in
            if number == 2, case .delimited(let length) = field {
                let op = try ProtobufWire.string(sub, length, limit: 4096)
                if ops.count < 100_000 { ops[op, default: 0] += 1 }
            }
        }
    }
}
