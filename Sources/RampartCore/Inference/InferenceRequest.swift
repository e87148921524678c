/// `POST /v2/models/{name}/infer` in the Open Inference Protocol: an optional id and the input tensors.
///
/// ```swift
/// let request = try InferenceRequest.decode(body, expecting: TensorMetadata(name: "X", datatype: "FP32", shape: [-1, 64]))
/// let json = InferenceRequest(inputs: [tensor]).json()
/// ```
public struct InferenceRequest: Sendable, Equatable {
    public var id: String?
    public var inputs: [InferenceTensor]

    public init(id: String? = nil, inputs: [InferenceTensor]) {
        self.id = id
        self.inputs = inputs
    }

    /// Reads a request whose inputs are checked for their own consistency only (any number, any datatype).
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(InferenceCodingError) -> InferenceRequest where Bytes.Element == UInt8 {
        let json = try document(bytes)
        var request = InferenceRequest(id: json["id"]?.stringValue, inputs: [])
        for (i, input) in try inputList(json).enumerated() { request.inputs.append(try InferenceTensor.decode(input, path: "inputs[\(i)]")) }
        return request
    }

    /// Reads a request for a model with one floating-point input, validated before anything runs: the input's name,
    /// datatype (FP32 or FP64) and shape against `input` (-1: any size), every value a finite FP32 number inside
    /// `range` when one is declared. Each error names the field, and for a value its index and position.
    public static func decode<Bytes: Collection>(_ bytes: Bytes, expecting input: TensorMetadata, range: ClosedRange<Double>? = nil)
        throws(InferenceCodingError) -> InferenceRequest where Bytes.Element == UInt8
    {
        let json = try document(bytes)
        let inputs = try inputList(json)
        guard inputs.count == 1 else {
            throw .init(.invalidInput, "the model takes one input, `\(input.name)`; the request has \(inputs.count)", path: "inputs")
        }
        let item = inputs[0]
        let path = "inputs[0]"
        guard let name = item["name"]?.stringValue else { throw .init(.invalidInput, "every input needs a `name`", path: "\(path).name") }
        guard name == input.name else {
            throw .init(.invalidInput, "the model has no input `\(name.prefix(64))`; its input is `\(input.name)`", path: "\(path).name")
        }
        guard let text = item["datatype"]?.stringValue, let datatype = InferenceDatatype(rawValue: text), datatype == .fp32 || datatype == .fp64 else {
            throw .init(.invalidInput, "input `\(name)` must have `datatype` FP32 (or FP64)", path: "\(path).datatype")
        }
        let shape = try InferenceTensor.decodeShape(item["shape"], name: name, path: "\(path).shape", allowZero: false, noun: "input")
        guard shape.count == input.shape.count else {
            throw .init(.invalidShape, "input `\(name)` has shape \(shape); the model takes rank \(input.shape.count) \(input.shape.map { $0 < 0 ? "N" : String($0) })",
                        path: "\(path).shape")
        }
        for (axis, (given, declared)) in zip(shape, input.shape).enumerated() where declared >= 0 && given != declared {
            throw .init(.invalidShape, "input `\(name)`: dimension \(axis) is \(given), the model declares \(declared)", path: "\(path).shape")
        }
        guard let count = InferenceTensor.elementCount(shape) else {
            throw .init(.invalidShape, "input `\(name)` has too many values for shape \(shape)", path: "\(path).shape")
        }
        guard let data = item["data"]?.arrayValue else {
            throw .init(.invalidInput, "input `\(name)` needs `data`, a list of numbers in row-major order", path: "\(path).data")
        }
        // Values first, up to what the shape holds, so a bad value is named even when the count is off too.
        let leaves = InferenceTensor.leaves(data)
        var values: [Float] = []
        values.reserveCapacity(count)
        for (index, leaf) in leaves.prefix(count).enumerated() {
            func bad(_ kind: InferenceCodingError.Kind, _ what: String) -> InferenceCodingError {
                .init(kind, "input `\(name)`: \(what)", path: "\(path).data[\(index)]")
            }
            guard case .number(let text) = leaf, let d = Double(text) else { throw bad(.invalidValue, "value at index \(index) \(position(index, shape)) is not a number") }
            let f = Float(d)
            guard f.isFinite else { throw bad(.invalidValue, "value at index \(index) \(position(index, shape)) is not finite in FP32") }
            if let range, !range.contains(d) {
                throw bad(.outOfRange, "value \(text) at index \(index) \(position(index, shape)) is outside the declared range [\(range.lowerBound), \(range.upperBound)]")
            }
            values.append(f)
        }
        guard leaves.count == count else {
            throw .init(.invalidShape, "input `\(name)`: shape \(shape) holds \(count) values, `data` has \(leaves.count)", path: "\(path).data")
        }
        return InferenceRequest(id: json["id"]?.stringValue, inputs: [InferenceTensor(name: name, datatype: datatype, shape: shape, data: .floats(values))])
    }

    /// `{"id"?,"inputs":[…]}`.
    public func json() -> String {
        var out = "{"
        if let id { out += #""id":"# + JSONValue.quote(id) + "," }
        return out + #""inputs":["# + inputs.map { $0.json() }.joined(separator: ",") + "]}"
    }

    // MARK: Reading

    static func document<Bytes: Collection>(_ bytes: Bytes) throws(InferenceCodingError) -> JSONValue where Bytes.Element == UInt8 {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw .init(.invalidJSON, "the body is not valid JSON: \(error)") }
        guard case .object = json else { throw .init(.invalidRequest, "the body must be a JSON object with `inputs`") }
        return json
    }

    static func inputList(_ json: JSONValue) throws(InferenceCodingError) -> [JSONValue] {
        guard let inputs = json["inputs"]?.arrayValue, !inputs.isEmpty else {
            throw .init(.invalidRequest, "`inputs` must be a non-empty list of tensors", path: "inputs")
        }
        return inputs
    }

    /// `[row, column, …]` of a flat index in a row-major `shape`.
    static func position(_ index: Int, _ shape: [Int]) -> String {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        var rest = index
        return "[" + strides.map { stride in
            let coordinate = rest / Swift.max(stride, 1)
            rest -= coordinate * stride
            return String(coordinate)
        }.joined(separator: ", ") + "]"
    }
}
