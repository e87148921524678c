/// A value on the symbolic pickle machine's stack: what unpickling would produce, as far as the scanner needs to
/// know it. Large strings and byte strings are kept as their size and offset only; containers keep their first
/// elements. Nothing here is ever turned into a live Python object.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer too large for 64 bits.
    case bigInt
    case float(Double)
    /// A `str`; `complete` is false when only a prefix was kept.
    case string(String, complete: Bool)
    case bytes(PickleBytes)
    case tuple([PickleValue])
    /// An imported name (`GLOBAL`, `STACK_GLOBAL`, `INST`, `EXT*`).
    case global(PickleGlobal)
    /// A mutable object: list, dict, set, a call's result, an instance. Shared by reference, as the memo shares it.
    case node(PickleNode)
    /// A `persistent_load` reference (PyTorch's storages).
    case persistent(PickleValue)
    /// Something the scanner does not follow (an out-of-band buffer, a value dropped over the memory budget).
    case opaque

    var text: String? {
        if case .string(let s, true) = self { return s }
        return nil
    }

    var integer: Int? {
        switch self {
        case .int(let v): v
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }

    var globalName: PickleGlobal? {
        if case .global(let g) = self { return g }
        return nil
    }
}

/// Raw bytes (`BINBYTES`, `BYTEARRAY8`, …): where they were in the stream, and their content when small.
struct PickleBytes {
    var count: Int64
    /// Offset of the first byte in the reader's stream.
    var offset: Int64
    var content: [UInt8]?
}

/// A module-level name a pickle imports. `dynamic` when the module or name was not a constant string (computed at
/// load time), which only a pickle hiding what it imports does.
struct PickleGlobal: Hashable, CustomStringConvertible {
    var module: String
    var name: String
    var dynamic = false

    var description: String { dynamic ? "a name computed at load time" : "\(module).\(name)" }
}

/// A list, dict, set, call result or instance.
final class PickleNode {
    enum Kind {
        case list, dict, set, frozenset
        /// `callee(*args)` (`REDUCE`, `OBJ`, `INST`).
        case call(callee: PickleValue)
        /// `cls.__new__(cls, *args)` (`NEWOBJ`, `NEWOBJ_EX`).
        case instance(cls: PickleValue)
    }

    private(set) var kind: Kind
    var args: PickleValue?
    /// Elements of a list or set, or alternating keys and values of a dict: the first ones only.
    var items: [PickleValue] = []
    /// How many elements it holds (items may keep fewer).
    var count = 0
    /// The state `BUILD` gave it.
    var state: PickleValue?

    init(_ kind: Kind, args: PickleValue? = nil) {
        self.kind = kind
        self.args = args
    }

    /// Drops every reference this object holds (the machine's cycle breaking).
    func release() {
        kind = .list
        args = nil
        items = []
        state = nil
    }

    /// The class an instance was made from: `NEWOBJ`'s class, or `copyreg._reconstructor(cls, …)`'s first argument,
    /// or the callee itself for `cls(*args)`.
    var instanceClass: PickleGlobal? {
        switch kind {
        case .instance(let cls):
            return cls.globalName
        case .call(let callee):
            guard let g = callee.globalName else { return nil }
            if g.module == "copyreg", g.name == "_reconstructor" || g.name == "__newobj__", case .tuple(let a)? = args, let first = a.first {
                return first.globalName
            }
            return g
        default:
            return nil
        }
    }

    /// The dict entry whose key is the string `key`.
    func value(forKey key: String) -> PickleValue? {
        guard case .dict = kind else { return nil }
        var i = 0
        while i + 1 < items.count {
            if items[i].text == key { return items[i + 1] }
            i += 2
        }
        return nil
    }
}
