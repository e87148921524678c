import Foundation

/// Symbolic execution of the pickle machine, protocols 0–5: the stack, the marks and the memo are tracked as an
/// unpickler would track them, so a name assembled on the stack (`STACK_GLOBAL` from memoized strings) is still
/// seen, and every import is judged by the `GlobalPolicy` where it happens. Nothing is imported, called or
/// unpickled. Array payloads (`BINBYTES`, `BYTEARRAY8`, joblib's inline arrays) are skipped without being read.
final class PickleMachine {
    let reader: ByteReader
    /// The same bytes with random access (offsets equal the reader's), when there is such a thing: nested pickles in
    /// large byte strings are read from it.
    let source: ByteSource?
    let scan: ScanContext
    let location: String
    let depth: Int
    var limits: PickleLimits

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]
    private var memoDropped = false
    /// Distinct memo keys written, dropped ones included (MEMOIZE's next key).
    private var memoSize = 0
    private var retained = 0
    private var proto = 0
    private var opcodeOffset: Int64 = 0
    /// Imports seen, judged once each.
    private var judged: [PickleGlobal: GlobalPolicy.Judgement] = [:]
    /// Globals found in this stream, in order (for reports and tests).
    private(set) var globals: [PickleGlobal] = []
    /// Classes of the objects `BUILD` set state on (joblib's array wrappers, NumPy arrays).
    private(set) var built: [PickleGlobal: Int] = [:]
    /// Every mutable object this machine made. A pickle can make an object contain itself (a list appended to itself
    /// through the memo), which reference counting never frees; the machine breaks every such cycle when it ends.
    private var arena: [PickleNode] = []

    init(reader: ByteReader, source: ByteSource?, scan: ScanContext, location: String, depth: Int) {
        self.reader = reader
        self.source = source
        self.scan = scan
        self.location = location
        self.depth = depth
        limits = scan.options.pickleLimits
    }

    deinit {
        for node in arena { node.release() }
    }

    /// A new mutable object, counted against the limit on objects.
    private func makeNode(_ kind: PickleNode.Kind, args: PickleValue? = nil) throws(ScanFailure) -> PickleNode {
        guard arena.count < limits.nodes else { throw .limit("the pickle makes more than \(limits.nodes) objects") }
        let n = PickleNode(kind, args: args)
        arena.append(n)
        return n
    }

    private var here: String { location.isEmpty ? "offset \(opcodeOffset)" : "\(location) @ offset \(opcodeOffset)" }

    private func report(_ severity: Finding.Severity, _ rule: String, _ message: String) {
        scan.findings.add(severity, rule, message, at: here)
    }

    // MARK: - Stack

    private func push(_ v: PickleValue) throws(ScanFailure) {
        guard stack.count < limits.stack else { throw .limit("the pickle stack grew past \(limits.stack) values") }
        stack.append(v)
    }

    private func pop() throws(ScanFailure) -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw .malformed("unpickling stack underflow at offset \(opcodeOffset)") }
        return stack.removeLast()
    }

    private func top() throws(ScanFailure) -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw .malformed("unpickling stack underflow at offset \(opcodeOffset)") }
        return stack[stack.count - 1]
    }

    /// The values pushed since the last MARK, which is removed.
    private func popMark() throws(ScanFailure) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw .malformed("a MARK-consuming opcode without a MARK at offset \(opcodeOffset)") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    // MARK: - Memory budget

    private func keep(_ count: Int) -> Bool {
        guard count <= limits.kept, retained + count <= limits.retained else { return false }
        retained += count
        return true
    }

    private func append(_ v: PickleValue, to node: PickleNode) {
        node.count += 1
        if node.items.count < 4096, keep(16) { node.items.append(v) }
    }

    // MARK: - Reading arguments

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    private func lineString() throws(ScanFailure) -> String {
        var bytes = try reader.line(max: limits.line)
        if bytes.last == 0x0D { bytes.removeLast() }
        return text(bytes)
    }

    private func length(_ raw: UInt64, _ what: String) throws(ScanFailure) -> Int64 {
        guard raw <= UInt64(Int64.max) else { throw .malformed("\(what) of \(raw) bytes at offset \(opcodeOffset)") }
        return Int64(raw)
    }

    /// A string of `count` bytes: kept when small, skipped (size only) when large.
    private func readString(_ count: Int64) throws(ScanFailure) -> PickleValue {
        if count <= Int64(limits.kept), keep(Int(count)) {
            return .string(text(try reader.bytes(Int(count))), complete: true)
        }
        let prefix = try reader.bytes(Int(min(count, 256)))
        try reader.skip(count - Int64(prefix.count))
        return .string(text(prefix), complete: false)
    }

    private func readBytes(_ count: Int64) throws(ScanFailure) -> PickleValue {
        let offset = reader.offset
        if count <= Int64(limits.kept), keep(Int(count)) {
            return .bytes(PickleBytes(count: count, offset: offset, content: try reader.bytes(Int(count))))
        }
        try reader.skip(count)
        return .bytes(PickleBytes(count: count, offset: offset, content: nil))
    }

    // MARK: - Imports

    private func importGlobal(module: String, name: String, dynamic: Bool = false) -> PickleValue {
        let g = PickleGlobal(module: module, name: name, dynamic: dynamic)
        if judged[g] == nil {
            globals.append(g)
            let judgement: GlobalPolicy.Judgement = dynamic ? .dangerous("") : scan.policy.judge(module: module, name: name)
            judged[g] = judgement
            switch judgement {
            case .safe, .loader(nil):
                break
            case .loader(let severity?):
                report(severity, "pickle.nested-pickle", "imports \(g), which unpickles data inside the pickle")
            case .dangerous where dynamic:
                report(.malicious, "pickle.dynamic-global", "imports a name built at load time instead of a constant, which only hides what it imports")
            case .dangerous(let why):
                report(.malicious, "pickle.dangerous-global", "imports \(g): \(why)")
            case .unknown:
                report(.suspicious, "pickle.unknown-global", "imports \(g), which is not on the allowlist: unpickling calls it with arguments the file chooses")
            }
        }
        return .global(g)
    }

    // MARK: - Running

    /// Runs one pickle to its STOP and returns what it would produce. Throws on a malformed stream.
    func run() throws(ScanFailure) -> PickleValue {
        stack.removeAll(keepingCapacity: true)
        marks.removeAll()
        while true {
            opcodeOffset = reader.offset
            let code = try reader.byte()
            guard let op = PickleOpcode(rawValue: code) else {
                throw .malformed("unknown pickle opcode 0x\(String(code, radix: 16)) at offset \(opcodeOffset)")
            }
            switch op {
            case .stop:
                let result = try pop()
                return result
            case .proto:
                proto = Int(try reader.byte())
                guard proto <= 5 else { throw .malformed("unsupported pickle protocol \(proto) at offset \(opcodeOffset)") }
            case .frame:
                _ = try reader.uint64()
            case .mark:
                marks.append(stack.count)
            case .pop:
                if stack.count == (marks.last ?? -1), !marks.isEmpty {
                    // POP on an empty frame pops the mark (as CPython does).
                    _ = marks.popLast()
                } else {
                    _ = try pop()
                }
            case .popMark:
                _ = try popMark()
            case .dup:
                try push(try top())
            // Numbers
            case .int:
                let s = try lineString()
                if s == "00" { try push(.bool(false)) } else if s == "01" { try push(.bool(true)) } else {
                    guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else {
                        guard s.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }), !s.isEmpty else { throw .malformed("INT with `\(s.prefix(40))` at offset \(opcodeOffset)") }
                        try push(.bigInt)
                        continue
                    }
                    try push(.int(v))
                }
            case .binInt:
                try push(.int(Int(Int32(bitPattern: try reader.uint32()))))
            case .binInt1:
                try push(.int(Int(try reader.byte())))
            case .binInt2:
                try push(.int(Int(try reader.uint16())))
            case .long:
                var s = try lineString()
                if s.hasSuffix("L") { s.removeLast() }
                if let v = Int(s) { try push(.int(v)) } else {
                    guard !s.isEmpty, s.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }) else { throw .malformed("LONG with `\(s.prefix(40))` at offset \(opcodeOffset)") }
                    try push(.bigInt)
                }
            case .long1:
                let n = Int(try reader.byte())
                try push(littleEndianInteger(try reader.bytes(n)))
            case .long4:
                let n = Int32(bitPattern: try reader.uint32())
                guard n >= 0 else { throw .malformed("LONG4 with a negative length at offset \(opcodeOffset)") }
                if n > 8 {
                    try reader.skip(Int64(n))
                    try push(.bigInt)
                } else {
                    try push(littleEndianInteger(try reader.bytes(Int(n))))
                }
            case .float:
                let s = try lineString()
                guard let v = Double(s) else { throw .malformed("FLOAT with `\(s.prefix(40))` at offset \(opcodeOffset)") }
                try push(.float(v))
            case .binFloat:
                var bits: UInt64 = 0
                for b in try reader.bytes(8) { bits = bits << 8 | UInt64(b) }
                try push(.float(Double(bitPattern: bits)))
            case .none:
                try push(.none)
            case .newTrue:
                try push(.bool(true))
            case .newFalse:
                try push(.bool(false))
            // Strings and bytes
            case .string:
                let raw = try reader.line(max: limits.line)
                try push(.string(try PythonLiteral.quotedString(raw, at: opcodeOffset), complete: true))
            case .binString:
                let n = Int32(bitPattern: try reader.uint32())
                guard n >= 0 else { throw .malformed("BINSTRING with a negative length at offset \(opcodeOffset)") }
                try push(try readString(Int64(n)))
            case .shortBinString:
                try push(try readString(Int64(try reader.byte())))
            case .unicode:
                let raw = try reader.line(max: limits.line)
                try push(.string(PythonLiteral.rawUnicodeEscape(raw), complete: true))
            case .binUnicode:
                try push(try readString(Int64(try reader.uint32())))
            case .shortBinUnicode:
                try push(try readString(Int64(try reader.byte())))
            case .binUnicode8:
                try push(try readString(try length(try reader.uint64(), "BINUNICODE8")))
            case .binBytes:
                try push(try readBytes(Int64(try reader.uint32())))
            case .shortBinBytes:
                try push(try readBytes(Int64(try reader.byte())))
            case .binBytes8, .byteArray8:
                try push(try readBytes(try length(try reader.uint64(), "BINBYTES8")))
            case .nextBuffer:
                report(.info, "pickle.out-of-band", "takes an out-of-band buffer, which a plain load refuses")
                try push(.opaque)
            case .readonlyBuffer:
                _ = try top()
            // Containers
            case .emptyTuple:
                try push(.tuple([]))
            case .tuple:
                try push(.tuple(try popMark()))
            case .tuple1:
                let a = try pop()
                try push(.tuple([a]))
            case .tuple2:
                let b = try pop(), a = try pop()
                try push(.tuple([a, b]))
            case .tuple3:
                let c = try pop(), b = try pop(), a = try pop()
                try push(.tuple([a, b, c]))
            case .emptyList:
                try push(.node(try makeNode(.list)))
            case .list:
                let node = try makeNode(.list)
                for v in try popMark() { append(v, to: node) }
                try push(.node(node))
            case .emptyDict:
                try push(.node(try makeNode(.dict)))
            case .dict:
                let items = try popMark()
                guard items.count % 2 == 0 else { throw .malformed("DICT with an odd number of items at offset \(opcodeOffset)") }
                let node = try makeNode(.dict)
                for v in items { append(v, to: node) }
                try push(.node(node))
            case .emptySet:
                try push(.node(try makeNode(.set)))
            case .frozenSet:
                let node = try makeNode(.frozenset)
                for v in try popMark() { append(v, to: node) }
                try push(.node(node))
            case .append:
                let v = try pop()
                try appendTo(try top(), [v])
            case .appends, .addItems:
                let items = try popMark()
                try appendTo(try top(), items)
            case .setItem:
                let v = try pop(), k = try pop()
                try appendTo(try top(), [k, v], pairs: true)
            case .setItems:
                let items = try popMark()
                guard items.count % 2 == 0 else { throw .malformed("SETITEMS with an odd number of items at offset \(opcodeOffset)") }
                try appendTo(try top(), items, pairs: true)
            // Memo
            case .put:
                let s = try lineString()
                guard let i = Int(s) else { throw .malformed("PUT with `\(s.prefix(40))` at offset \(opcodeOffset)") }
                try memoize(i)
            case .binPut:
                try memoize(Int(try reader.byte()))
            case .longBinPut:
                try memoize(Int(try reader.uint32()))
            case .memoize:
                try memoize(memoSize)
            case .get:
                let s = try lineString()
                guard let i = Int(s) else { throw .malformed("GET with `\(s.prefix(40))` at offset \(opcodeOffset)") }
                try push(try recall(i))
            case .binGet:
                try push(try recall(Int(try reader.byte())))
            case .longBinGet:
                try push(try recall(Int(try reader.uint32())))
            // Imports and calls
            case .global:
                let module = try lineString(), name = try lineString()
                try push(importGlobal(module: module, name: name))
            case .stackGlobal:
                let name = try pop(), module = try pop()
                if let m = module.text, let n = name.text {
                    try push(importGlobal(module: m, name: n))
                } else {
                    try push(importGlobal(module: "?", name: "?", dynamic: true))
                }
            case .inst:
                let module = try lineString(), name = try lineString()
                let cls = importGlobal(module: module, name: name)
                let args = try popMark()
                try push(.node(try makeNode(.call(callee: cls), args: .tuple(args))))
            case .obj:
                var items = try popMark()
                guard !items.isEmpty else { throw .malformed("OBJ without a class at offset \(opcodeOffset)") }
                let cls = items.removeFirst()
                try call(cls, .tuple(items))
            case .newObj:
                let args = try pop(), cls = try pop()
                try checkCallee(cls)
                try push(.node(try makeNode(.instance(cls: cls), args: args)))
            case .newObjEx:
                _ = try pop()
                let args = try pop(), cls = try pop()
                try checkCallee(cls)
                try push(.node(try makeNode(.instance(cls: cls), args: args)))
            case .reduce:
                let args = try pop(), callee = try pop()
                try call(callee, args)
            case .build:
                let state = try pop()
                let target = try top()
                try build(target, state: state)
            case .ext1, .ext2, .ext4:
                let code: UInt32 = op == .ext1 ? UInt32(try reader.byte()) : op == .ext2 ? UInt32(try reader.uint16()) : try reader.uint32()
                report(.suspicious, "pickle.extension-code", "imports extension code \(code) from copyreg's registry, which names whatever the loading program registered")
                try push(.opaque)
            case .persid:
                _ = try lineString()
                try push(.persistent(.opaque))
            case .binPersid:
                try push(.persistent(try pop()))
            }
        }
    }

    private func littleEndianInteger(_ bytes: [UInt8]) -> PickleValue {
        guard !bytes.isEmpty else { return .int(0) }
        guard bytes.count <= 8 else { return .bigInt }
        var v: UInt64 = 0
        for (i, b) in bytes.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        if bytes.count < 8, bytes.last! & 0x80 != 0 { v |= ~0 << (8 * UInt64(bytes.count)) }
        return .int(Int(Int64(bitPattern: v)))
    }

    private func memoize(_ index: Int) throws(ScanFailure) {
        let v = try top()
        if memo[index] == nil {
            memoSize += 1
            if memo.count >= limits.memo {
                memoDropped = true
                return
            }
        }
        memo[index] = v
    }

    private func recall(_ index: Int) throws(ScanFailure) -> PickleValue {
        if let v = memo[index] { return v }
        if memoDropped { return .opaque }
        throw .malformed("memo entry \(index) read before it was written, at offset \(opcodeOffset)")
    }

    private func appendTo(_ target: PickleValue, _ items: [PickleValue], pairs: Bool = false) throws(ScanFailure) {
        switch target {
        case .node(let node):
            switch node.kind {
            case .list, .set, .frozenset, .dict:
                for v in items { append(v, to: node) }
            case .call, .instance:
                // `append`/`extend`/`__setitem__` on an object: its class's methods run, judged with the class.
                node.count += items.count
            }
        case .global(let g):
            report(.malicious, "pickle.mutates-global", "adds items to \(g) itself, changing a module-level object that later code uses")
        case .opaque:
            break
        default:
            throw .malformed("\(pairs ? "SETITEM" : "APPEND") on a value that is not a container at offset \(opcodeOffset)")
        }
    }

    /// A callee must be something importable: calling the result of another call or a container is how a pickle
    /// reaches methods the allowlist never named.
    private func checkCallee(_ callee: PickleValue) throws(ScanFailure) {
        switch callee {
        case .global, .opaque:
            break
        case .node:
            report(.suspicious, "pickle.indirect-call", "calls the result of another call rather than an imported name")
        default:
            throw .malformed("a call of a value that is not callable at offset \(opcodeOffset)")
        }
    }

    private func call(_ callee: PickleValue, _ args: PickleValue) throws(ScanFailure) {
        try checkCallee(callee)
        if let g = callee.globalName, case .loader? = judged[g] {
            try scanNested(args, loader: g)
        }
        try push(.node(try makeNode(.call(callee: callee), args: args)))
    }

    /// Scans the byte string a loader would unpickle.
    private func scanNested(_ args: PickleValue, loader: PickleGlobal) throws(ScanFailure) {
        guard case .tuple(let a) = args, case .bytes(let b)? = a.first else {
            report(.suspicious, "pickle.nested-pickle", "calls \(loader) on data computed at load time, which cannot be inspected")
            return
        }
        let nested: ByteSource
        if let content = b.content {
            nested = ByteSource(bytes: content)
        } else if let source, let window = try? source.slice(b.offset, b.count) {
            nested = window
        } else {
            report(.suspicious, "pickle.nested-pickle", "calls \(loader) on \(b.count) bytes too large to keep from a compressed stream, which were not inspected")
            return
        }
        scan.scanNested(nested, location: "\(location.isEmpty ? "" : location + " ")→ \(loader) @ offset \(b.offset)", depth: depth + 1)
    }

    private func build(_ target: PickleValue, state: PickleValue) throws(ScanFailure) {
        switch target {
        case .global(let g):
            report(.malicious, "pickle.build-on-global", "sets attributes on \(g) itself (BUILD on an imported name), which redirects what later code calls")
        case .node(let node):
            node.state = state
            if let cls = node.instanceClass {
                built[cls, default: 0] += 1
                if JoblibArray.wrapperClasses.contains(cls.module + "." + cls.name) {
                    try JoblibArray.skipPayload(of: node, in: self)
                }
            }
        case .opaque, .persistent:
            break
        default:
            throw .malformed("BUILD on a value that is not an object at offset \(opcodeOffset)")
        }
    }

    /// Runs the pickles that follow one another in the stream (joblib's object arrays, PyTorch's legacy format, a
    /// second pickle appended to the first), up to `maximum` or the end of the data. The first must parse; a later
    /// one that does not is trailing data, reported as such (a loader reading one pickle ignores it), with whatever
    /// it imported before it broke still judged.
    func runAll(maximum: Int = 64) throws(ScanFailure) -> [PickleValue] {
        var results = [try run()]
        while results.count < maximum, try !reader.atEnd {
            let start = reader.offset
            do {
                results.append(try run())
            } catch {
                if case .unreadable = error { throw error }
                scan.findings.add(.info, "pickle.trailing-data", "data after the pickle's STOP is not another pickle (\(error.description))",
                                  at: location.isEmpty ? "offset \(start)" : "\(location) @ offset \(start)")
                try reader.finish()
                break
            }
        }
        return results
    }

    /// A fresh machine over the same stream (a pickle that follows this one, or is nested in its data).
    func next(location: String? = nil) -> PickleMachine {
        let m = PickleMachine(reader: reader, source: source, scan: scan, location: location ?? self.location, depth: depth + 1)
        m.limits = limits
        return m
    }

    var streamReader: ByteReader { reader }
}
