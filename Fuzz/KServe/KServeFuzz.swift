// libFuzzer target for the KServe v2 / Open Inference Protocol codec (RampartCore/Inference) that reads every infer
// request to a classifier route and every answer from a remote model server. Built and run by Fuzz/run.sh (the
// `fuzz-kserve` product). Invariants: never crash; what decodes re-encodes to JSON that decodes to the same value;
// a request validated against a declaration holds exactly the declared shape's values, all finite and in range.
import FuzzDriver
import RampartCore

func fuzzKServe(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let request = try? InferenceRequest.decode(bytes) {
        guard (try? InferenceRequest.decode(Array(request.json().utf8))) == request else { fatalError("a request does not survive its own encoding") }
    }
    if let response = try? InferenceResponse.decode(bytes) {
        guard (try? InferenceResponse.decode(Array(response.json().utf8))) == response else { fatalError("an answer does not survive its own encoding") }
    }
    if let metadata = try? ModelMetadata.decode(bytes) {
        guard (try? ModelMetadata.decode(Array(metadata.json().utf8))) == metadata else { fatalError("metadata does not survive its own encoding") }
    }
    let declared = TensorMetadata(name: "X", datatype: "FP32", shape: [-1, 4])
    if let request = try? InferenceRequest.decode(bytes, expecting: declared, range: 0...1) {
        guard request.inputs.count == 1, let input = request.inputs.first, case .floats(let values) = input.data,
              input.shape.count == 2, input.shape[1] == 4, values.count == input.shape[0] * 4, values.allSatisfy({ $0 >= 0 && $0 <= 1 })
        else { fatalError("a validated request does not hold what it was validated against") }
    }
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzzKServe) }
}
