// libFuzzer target for the container and format parsers of `rampart model scan` (RampartSupply): zip, tar,
// compressed streams, NumPy, safetensors, GGUF, ONNX and SavedModel protobufs, HDF5, JSON configs. The first byte
// picks the file name the scanner is given (the hint for formats without magic bytes); the rest is the file.
// Built and run by Fuzz/run.sh (the `fuzz-modelfiles` product). Invariants: never crash or hang, and every file
// whose format is recognised gets a verdict.
import FuzzDriver
import RampartSupply

let names = ["model.zip", "model.tar", "model.npy", "model.safetensors", "model.gguf", "model.onnx", "saved_model.pb", "model.h5",
             "tokenizer_config.json", "model.joblib", "x.whl", "setup.py", "hook.pth", "model.keras", "data.bin", "model"]

func fuzzModelFiles(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    var options = ScanOptions()
    options.maximumExpanded = 1 << 20
    options.maximumSpooled = 1 << 20
    options.maximumDocument = 1 << 20
    options.maximumDepth = 4
    let name = names[Int(data[0]) % names.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    _ = ModelScanner(options: options).scan(ByteSource(bytes: bytes), name: name, path: name)
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzzModelFiles) }
}
