import RampartCore

/// Keras 2 `.h5` models (and any HDF5 file): the root group's `model_config` and `training_config` attributes hold
/// the architecture and the training setup as JSON, checked like a Keras 3 config. Weights are never read.
enum KerasH5File {
    static func scan(_ input: ScanInput, in scan: ScanContext, location: String) throws(ScanFailure) -> String {
        let attributes = try HDF5Attributes(try input.randomAccess(limit: scan.options.maximumSpooled))
        var format = "hdf5"
        for name in ["model_config", "training_config"] {
            guard let text = attributes.strings[name] else { continue }
            format = "keras-h5"
            let json: JSONValue
            do { json = try JSONValue.parse(Array(text.utf8)) } catch {
                throw .malformed("the `\(name)` attribute is not JSON: \(error)")
            }
            KerasConfig.check(json, in: scan, location: location.isEmpty ? name : "\(location) \(name)")
        }
        return format
    }
}
