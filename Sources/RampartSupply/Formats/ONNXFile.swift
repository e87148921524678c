/// ONNX models, walked as a protobuf stream (weights skipped): operators from custom domains (native code the
/// runtime must be given), external-data paths that are absolute or leave the model's folder (a loader then reads
/// any file on the machine into the weights), and tensor shapes no machine could hold.
enum ONNXFile {
    /// Domains every ONNX runtime, or onnxruntime itself, implements.
    static let standardDomains: Set<String> = ["", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training", "com.microsoft", "com.microsoft.nchwc", "com.ms.internal.nhwc", "ai.onnx.contrib"]
    /// More elements than this in one tensor is not a model, it is an allocation attack.
    static let maximumElements: Int64 = 1 << 40

    struct Walk {
        let scan: ScanContext
        let location: String
        var customOperators: [String: Int] = [:]
        var opsets: [String: Int64] = [:]
        var nodes = 0
    }

    static func scan(_ input: ScanInput, in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        var walk = Walk(scan: scan, location: location)
        var sawGraph = false
        try ProtobufWire(reader: input.reader()).forEach { (number, field, sub) throws(ScanFailure) in
            switch (number, field) {
            case (1, .varint(let ir)):
                guard ir <= 64 else { throw .malformed("ONNX IR version \(ir) is not one ONNX writes") }
            case (7, .delimited):
                sawGraph = true
                try graph(sub, &walk, depth: 0)
            case (8, .delimited(let length)):
                var domain = "", version: Int64 = 0
                try ProtobufWire(reader: sub).forEach { (n, f, s) throws(ScanFailure) in
                    if n == 1, case .delimited(let l) = f { domain = try ProtobufWire.string(s, l) }
                    if n == 2, case .varint(let v) = f { version = Int64(bitPattern: v) }
                }
                _ = length
                walk.opsets[domain] = version
            case (25, .delimited):
                // A model-local function: its nodes count like the graph's.
                try ProtobufWire(reader: sub).forEach { (n, f, s) throws(ScanFailure) in
                    if n == 7, case .delimited = f { try node(s, &walk, depth: 1) }
                }
            default:
                break
            }
        }
        guard sawGraph else { throw .malformed("an ONNX model without a graph") }
        for (op, count) in walk.customOperators.sorted(by: { $0.key < $1.key }) {
            scan.findings.add(Finding(.suspicious, "onnx.custom-operator",
                                      "uses operator \(op) from a custom domain: the runtime needs a native library registered for it, which runs with the process's rights",
                                      at: location.isEmpty ? "graph" : location, count: count))
        }
        for domain in walk.opsets.keys.sorted() where !standardDomains.contains(domain) && walk.customOperators.keys.allSatisfy({ !$0.hasPrefix(domain + "::") }) {
            scan.findings.add(.info, "onnx.custom-domain", "imports operator set `\(domain)`", at: location.isEmpty ? "opset_import" : location)
        }
        return "onnx"
    }

    static func graph(_ reader: ByteReader, _ walk: inout Walk, depth: Int) throws(ScanFailure) {
        guard depth < 32 else { throw .limit("ONNX subgraphs nested deeper than 32") }
        try ProtobufWire(reader: reader).forEach { (number, field, sub) throws(ScanFailure) in
            guard case .delimited = field else { return }
            switch number {
            case 1: try node(sub, &walk, depth: depth)
            case 5: try tensor(sub, &walk)
            default: break
            }
        }
    }

    static func node(_ reader: ByteReader, _ walk: inout Walk, depth: Int) throws(ScanFailure) {
        walk.nodes += 1
        var opType = "", domain = ""
        try ProtobufWire(reader: reader).forEach { (number, field, sub) throws(ScanFailure) in
            guard case .delimited(let length) = field else { return }
            switch number {
            case 4: opType = try ProtobufWire.string(sub, length, limit: 4096)
            case 7: domain = try ProtobufWire.string(sub, length, limit: 4096)
            case 5:
                // AttributeProto: 5 = t (a tensor), 6 = g (a subgraph), 10 = tensors, 11 = graphs.
                try ProtobufWire(reader: sub).forEach { (n, f, s) throws(ScanFailure) in
                    guard case .delimited = f else { return }
                    switch n {
                    case 5, 10: try tensor(s, &walk)
                    case 6, 11: try graph(s, &walk, depth: depth + 1)
                    default: break
                    }
                }
            default: break
            }
        }
        if !standardDomains.contains(domain) {
            walk.customOperators["\(domain)::\(opType)", default: 0] += 1
        }
    }

    /// TensorProto: 1 dims, 8 name, 13 external_data (key/value), 14 data_location.
    static func tensor(_ reader: ByteReader, _ walk: inout Walk) throws(ScanFailure) {
        var dims: [Int64] = []
        var name = ""
        var external: [String: String] = [:]
        try ProtobufWire(reader: reader).forEach { (number, field, sub) throws(ScanFailure) in
            switch number {
            case 1: dims += try ProtobufWire.int64s(field, sub)
            case 8: if case .delimited(let l) = field { name = try ProtobufWire.string(sub, l, limit: 65536) }
            case 13:
                guard case .delimited = field else { return }
                var key = "", value = ""
                try ProtobufWire(reader: sub).forEach { (n, f, s) throws(ScanFailure) in
                    guard case .delimited(let l) = f else { return }
                    if n == 1 { key = try ProtobufWire.string(s, l, limit: 4096) }
                    if n == 2 { value = try ProtobufWire.string(s, l, limit: 65536) }
                }
                external[key] = value
            default: break
            }
        }
        let here = walk.location.isEmpty ? "tensor `\(name)`" : "\(walk.location) tensor `\(name)`"
        var elements: Int64 = 1
        for d in dims {
            guard d >= 0 else {
                walk.scan.findings.add(.malformed, "onnx.bad-shape", "a tensor with a negative dimension \(d)", at: here)
                return
            }
            let (p, overflow) = elements.multipliedReportingOverflow(by: d)
            elements = overflow ? Int64.max : p
        }
        if elements > maximumElements {
            walk.scan.findings.add(.suspicious, "onnx.absurd-shape", "declares \(dims.map(String.init).joined(separator: "×")) elements, more than any machine holds: loading it exhausts memory", at: here)
        }
        if let location = external["location"] {
            let parts = location.split(whereSeparator: { $0 == "/" || $0 == "\\" })
            if location.hasPrefix("/") || location.hasPrefix("\\") || location.dropFirst().hasPrefix(":") || parts.contains("..") {
                walk.scan.findings.add(.malicious, "onnx.external-data-path",
                                       "reads its weights from `\(location)`, outside the model's folder: loading it copies that file into the model", at: here)
            }
        }
    }
}
