import Foundation
import RampartCore
import Testing

/// The Open Inference Protocol codec the gateway, the probe and the CLI share.
@Suite struct InferenceCodecTests {
    static let declared = TensorMetadata(name: "X", datatype: "FP32", shape: [-1, 2])

    static func strict(_ json: String, range: ClosedRange<Double>? = nil) throws(InferenceCodingError) -> InferenceRequest {
        try InferenceRequest.decode(Array(json.utf8), expecting: declared, range: range)
    }

    @Test func validatedRequestsReadNestedAndFlatData() throws {
        let nested = try Self.strict(#"{"id":"r1","inputs":[{"name":"X","shape":[2,2],"datatype":"FP64","data":[[0.5,1],[0,0.25]]}]}"#)
        let flat = try Self.strict(#"{"inputs":[{"name":"X","shape":[2,2],"datatype":"FP32","data":[0.5,1,0,0.25]}]}"#)
        #expect(nested.id == "r1" && nested.inputs[0].data == .floats([0.5, 1, 0, 0.25]) && nested.inputs[0].shape == [2, 2])
        #expect(flat.inputs[0].data == nested.inputs[0].data && flat.id == nil)
    }

    @Test(arguments: [
        (#"[1]"#, "invalid_request", nil as String?, "a JSON object"),
        (#"{"inputs":[]}"#, "invalid_request", "inputs", "non-empty"),
        (#"{"inputs":[{"name":"Y","shape":[1,2],"datatype":"FP32","data":[1,2]}]}"#, "invalid_input", "inputs[0].name", "no input `Y`"),
        (#"{"inputs":[{"name":"X","shape":[1,2],"datatype":"INT64","data":[1,2]}]}"#, "invalid_input", "inputs[0].datatype", "FP32"),
        (#"{"inputs":[{"name":"X","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]}"#, "invalid_shape", "inputs[0].shape", "dimension 1 is 3, the model declares 2"),
        (#"{"inputs":[{"name":"X","shape":[2],"datatype":"FP32","data":[1,2]}]}"#, "invalid_shape", "inputs[0].shape", "rank 2"),
        (#"{"inputs":[{"name":"X","shape":[16777216,2],"datatype":"FP32","data":[1]}]}"#, "invalid_shape", "inputs[0].shape", "too many values"),
        (#"{"inputs":[{"name":"X","shape":[0,2],"datatype":"FP32","data":[]}]}"#, "invalid_input", "inputs[0].shape", "from 1 to"),
        (#"{"inputs":[{"name":"X","shape":[2,2],"datatype":"FP32","data":[1,0,1]}]}"#, "invalid_shape", "inputs[0].data", "holds 4 values, `data` has 3"),
        (#"{"inputs":[{"name":"X","shape":[2,2],"datatype":"FP32","data":[1,0,"1",0]}]}"#, "invalid_value", "inputs[0].data[2]", "index 2 [1, 0] is not a number"),
        (#"{"inputs":[{"name":"X","shape":[1,2],"datatype":"FP32","data":[1,1e39]}]}"#, "invalid_value", "inputs[0].data[1]", "not finite in FP32"),
        (#"{"inputs":[{"name":"X","shape":[1,2],"datatype":"FP32","data":[0.5,7]}]}"#, "out_of_range", "inputs[0].data[1]", "value 7 at index 1 [0, 1] is outside the declared range [0.0, 1.0]"),
    ] as [(String, String, String?, String)])
    func badRequestsNameTheFieldAndTheIndex(json: String, kind: String, path: String?, message: String) {
        do {
            _ = try Self.strict(json, range: 0...1)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.kind.rawValue == kind && error.path == path && error.message.contains(message), "\(error)")
        }
    }

    @Test func answersAndMetadataRoundTrip() throws {
        let answer = InferenceResponse(modelName: "digits", modelVersion: "1", id: "r1", outputs: [
            InferenceTensor(name: "label", datatype: .int64, shape: [2], data: .ints([3, -1])),
            InferenceTensor(name: "abstained", datatype: .bool, shape: [2], data: .bools([false, true])),
            InferenceTensor(name: "p", datatype: .fp32, shape: [2, 2], data: .floats([0.25, 0.75, 1e-7, 1])),
            InferenceTensor(name: "names", datatype: .bytes, shape: [1], data: .strings(["a \"cat\""])),
        ])
        let text = answer.json()
        #expect(text.hasPrefix(#"{"model_name":"digits","model_version":"1","id":"r1","outputs":[{"name":"label","datatype":"INT64","shape":[2],"data":[3,-1]}"#))
        #expect(try InferenceResponse.decode(Array(text.utf8)) == answer)
        let metadata = ModelMetadata(name: "digits", versions: ["1"], platform: "onnx", inputs: [Self.declared],
                                     outputs: [TensorMetadata(name: "label", datatype: "INT64", shape: [-1])])
        #expect(metadata.json() == #"{"name":"digits","versions":["1"],"platform":"onnx","inputs":[{"name":"X","datatype":"FP32","shape":[-1,2]}],"outputs":[{"name":"label","datatype":"INT64","shape":[-1]}]}"#)
        #expect(try ModelMetadata.decode(Array(metadata.json().utf8)) == metadata)
    }

    @Test func serversAnswersAreReadLeniently() throws {
        // Whole numbers written as floats are labels; an output of a datatype the codec does not read is left out.
        let answer = try InferenceResponse.decode(Array(#"{"outputs":[{"name":"l","datatype":"INT32","shape":[2],"data":[3.0,4]},{"name":"q","datatype":"FP8","shape":[1],"data":[1]}]}"#.utf8))
        #expect(answer.outputs == [InferenceTensor(name: "l", datatype: .int32, shape: [2], data: .ints([3, 4]))])
        for bad in [#"{"outputs":[{"name":"l","datatype":"INT64","shape":[2],"data":[3.5,4]}]}"#,
                    #"{"outputs":[{"name":"l","datatype":"INT64","shape":[4611686018427387905,4],"data":[1]}]}"#,
                    #"{"outputs":[{"name":"p","datatype":"FP32","shape":[1],"data":[null]}]}"#, #"{"outputs":7}"#, "not json"] {
            #expect(throws: InferenceCodingError.self, "\(bad)") { try InferenceResponse.decode(Array(bad.utf8)) }
        }
        // Floats JSON cannot carry are written as null, never as `nan`.
        #expect(InferenceTensor(name: "p", datatype: .fp32, shape: [2], data: .floats([.nan, 1])).json().contains("[null,1.0]"))
    }
}
