/// NumPy's `.npy` (`np.save`): a magic number, a version, a header dict literal (`descr`, `fortran_order`,
/// `shape`), then the data. Arrays of Python objects store their data as a pickle, scanned as one; other arrays are
/// checked to hold exactly the bytes the header promises, and skipped.
enum NumPyFile {
    static func scan(_ input: ScanInput, in scan: ScanContext, location: String, depth: Int) throws(ScanFailure) -> String {
        let reader = input.reader()
        let magic = try reader.bytes(8)
        let major = magic[6]
        let headerLength: Int
        switch major {
        case 1: headerLength = Int(try reader.uint16())
        case 2, 3: headerLength = Int(try reader.uint32())
        default: throw .malformed("NumPy format version \(major).\(magic[7]) is not one NumPy writes")
        }
        guard headerLength <= 1 << 20 else { throw .limit("a NumPy header of \(headerLength) bytes") }
        let header = try PythonLiteral.parse(try reader.bytes(headerLength))
        guard let descr = header["descr"], let shape = header["shape"] else { throw .malformed("a NumPy header without descr and shape") }
        let dtype = try NumPyDType(descr: descr)
        let count = try NumPyDType.elements(shape)
        if dtype.isObject {
            let machine = PickleMachine(reader: reader, source: input.seekable, scan: scan, location: ScanContext.join(location, "object array"), depth: depth + 1)
            _ = try machine.run()
            return "numpy"
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow else { throw .malformed("a NumPy array whose size overflows") }
        try reader.skip(Int64(bytes))
        if try !reader.atEnd {
            scan.findings.add(.suspicious, "numpy.trailing-data", "bytes follow the array's \(bytes) bytes of data, which NumPy never reads", at: location)
        }
        return "numpy"
    }
}
