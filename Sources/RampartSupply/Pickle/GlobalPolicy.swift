/// How the pickle scanner judges an imported name: **allowlist first**. Names known to be safe in machine-learning
/// files (array and tensor rebuilders, container and value types, estimator classes) are clean; names that reach
/// the operating system, the interpreter or the network are malicious; every other name is suspicious, because
/// unpickling calls it with arguments the file chooses (the guide's *model supply chain*: a pickled model is code).
public struct GlobalPolicy: Sendable {
    public enum Judgement: Sendable, Equatable {
        case safe
        /// Deserializes its argument (a pickle inside the pickle): the argument is scanned too. `severity` is what the
        /// call itself implies (nil: nothing, when the nested bytes are clean).
        case loader(Finding.Severity?)
        case dangerous(String)
        case unknown
    }

    /// Extra names the user trusts (`module.name`, or `module.*` for a whole module), from `--policy`.
    public var allowed: Set<String> = []
    /// Extra names the user forbids.
    public var denied: Set<String> = []

    public init(allowed: Set<String> = [], denied: Set<String> = []) {
        self.allowed = allowed
        self.denied = denied
    }

    public func judge(module rawModule: String, name: String) -> Judgement {
        let module = Self.aliases[rawModule] ?? rawModule
        let full = module + "." + name
        if denied.contains(full) || Self.prefixes(of: full).contains(where: { denied.contains($0 + ".*") }) {
            return .dangerous("forbidden by the policy file")
        }
        // Attribute chains through Python internals (`object.__subclasses__`, `f.__globals__`) reach anything.
        for part in name.split(separator: ".") where part.hasPrefix("__") && part.hasSuffix("__") && part.count > 4 {
            if !Self.harmlessDunders.contains(String(part)) {
                return .dangerous("it walks Python internals through `\(part)`")
            }
        }
        if let loader = Self.loaders[full] { return .loader(loader) }
        // Names vetted one by one win over their module's reputation (joblib's array wrapper, not joblib.load).
        if Self.safeNames.contains(full) { return .safe }
        if let reason = Self.dangerousNames[full] { return .dangerous(reason) }
        for prefix in Self.prefixes(of: full).dropLast() {
            if let reason = Self.dangerousModules[prefix] { return .dangerous(reason) }
        }
        if allowed.contains(full) || Self.prefixes(of: full).contains(where: { allowed.contains($0 + ".*") }) { return .safe }
        if Self.isSafeClass(module: module, name: name) { return .safe }
        return .unknown
    }

    /// `a`, `a.b`, `a.b.c` for `a.b.c`.
    static func prefixes(of dotted: String) -> [String] {
        var out: [String] = []
        var current = ""
        for part in dotted.split(separator: ".", omittingEmptySubsequences: false) {
            current = current.isEmpty ? String(part) : current + "." + part
            out.append(current)
        }
        return out
    }

    /// Python 2 module names that Python 3's unpickler maps to their new homes (`_compat_pickle`).
    static let aliases: [String: String] = [
        "__builtin__": "builtins", "copy_reg": "copyreg", "cPickle": "pickle", "exceptions": "builtins",
        "UserDict": "collections", "UserList": "collections", "UserString": "collections", "commands": "subprocess",
        "sets": "builtins", "_socket": "socket", "urllib2": "urllib.request", "httplib": "http.client",
    ]

    static let harmlessDunders: Set<String> = ["__newobj__", "__newobj_ex__", "__randomstate_ctor", "__bit_generator_ctor", "__generator_ctor"]

    /// Classes of these packages rebuild estimators and their parts: a name that starts with a capital letter and
    /// has no dots is a class (functions in these packages are judged one by one).
    static let estimatorPackages = ["sklearn", "xgboost", "lightgbm", "catboost", "scipy.sparse", "scipy.stats", "pandas", "numpy"]

    static func isSafeClass(module: String, name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isUppercase, !name.contains(".") else { return false }
        return estimatorPackages.contains { module == $0 || module.hasPrefix($0 + ".") }
    }

    /// Calls that unpickle their argument.
    static let loaders: [String: Finding.Severity?] = [
        // PyTorch pickles a storage inside `pickle.dumps(tensor)` as a nested `torch.save` archive.
        "torch.storage._load_from_bytes": nil,
        "pickle.loads": .suspicious, "_pickle.loads": .suspicious, "pickle._loads": .suspicious,
        "dill.loads": .suspicious, "dill._dill.loads": .suspicious, "cloudpickle.loads": .suspicious,
        "joblib.numpy_pickle.load": .suspicious,
    ]

    /// Names that are safe to call with any arguments a pickle can give them.
    static let safeNames: Set<String> = {
        var names: Set<String> = [
            // Python's own value types and the pickle protocol's helpers.
            "builtins.set", "builtins.frozenset", "builtins.dict", "builtins.list", "builtins.tuple", "builtins.bytearray",
            "builtins.bytes", "builtins.str", "builtins.int", "builtins.float", "builtins.complex", "builtins.bool",
            "builtins.slice", "builtins.range", "builtins.object", "builtins.NoneType", "builtins.Ellipsis",
            "builtins.NotImplemented", "builtins.long", "builtins.unicode",
            "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "_codecs.encode",
            "collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
            "collections.ChainMap", "functools.partial",
            "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
            "decimal.Decimal", "fractions.Fraction", "uuid.UUID", "ipaddress.IPv4Address", "ipaddress.IPv6Address",
            "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "pathlib.Path",
            "re._compile", "enum.Enum", "array.array", "array._array_reconstructor",
            // NumPy's array, scalar, dtype and generator rebuilders (numpy 1.x and 2.x module names).
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
            "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
            "numpy.ndarray", "numpy.dtype", "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
            "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
            "numpy.random._pickle.__generator_ctor", "numpy.random._pickle.__legacy_ctor",
            "numpy.core._multiarray_umath._reconstruct", "numpy._core._multiarray_umath._reconstruct",
            // joblib's array wrappers (the array bytes follow the pickle's BUILD).
            "joblib.numpy_pickle.NumpyArrayWrapper", "joblib.numpy_pickle_compat.NDArrayWrapper",
            "joblib.numpy_pickle.ZNDArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
            // PyTorch's tensor and storage rebuilders.
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state", "torch._utils._rebuild_qtensor",
            "torch._utils._rebuild_sparse_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_wrapper_subclass",
            "torch._utils._rebuild_device_tensor_from_numpy", "torch._utils._rebuild_xla_tensor",
            "torch._tensor._rebuild_from_type", "torch._tensor._rebuild_from_type_v2",
            "torch.nn.parameter.Parameter", "torch.nn.parameter.UninitializedParameter", "torch.Size", "torch.device",
            "torch.Tensor", "torch.storage.UntypedStorage", "torch.storage.TypedStorage", "torch.serialization._get_layout",
            "torch.float32", "torch.float16", "torch.bfloat16", "torch.float64", "torch.int64", "torch.int32",
            "torch.int16", "torch.int8", "torch.uint8", "torch.bool", "torch.complex64", "torch.complex128",
            "torch.strided", "torch.sparse_coo", "torch.per_tensor_affine", "torch.per_channel_affine",
            // scikit-learn internals that are functions, not classes.
            "sklearn.utils._bunch.Bunch", "scipy.sparse._csr.csr_matrix", "scipy.sparse._csc.csc_matrix",
            "pandas._libs.internals._unpickle_block", "pandas.core.indexes.base._new_Index",
            "pandas._libs.tslibs.timestamps._unpickle_timestamp", "pandas._libs.tslibs.timedeltas._timedelta_unpickle",
            "pandas.core.internals.blocks.new_block", "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
        ]
        for storage in ["Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool",
                        "ComplexFloat", "ComplexDouble", "QInt8", "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4"] {
            names.insert("torch.\(storage)Storage")
        }
        for scalar in ["bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
                       "float32", "float64", "longdouble", "complex64", "complex128", "str_", "bytes_", "object_",
                       "datetime64", "timedelta64", "intc", "uintc", "longlong", "ulonglong", "void"] {
            names.insert("numpy.\(scalar)")
        }
        return names
    }()

    /// Whole modules whose every name is dangerous, with why.
    static let dangerousModules: [String: String] = {
        var m: [String: String] = [:]
        for name in ["os", "posix", "nt", "subprocess", "_posixsubprocess", "pty", "popen2", "platform"] {
            m[name] = "it runs operating-system commands or processes"
        }
        for name in ["socket", "http", "urllib", "urllib3", "requests", "httpx", "aiohttp", "ftplib", "smtplib",
                     "telnetlib", "webbrowser", "xmlrpc", "paramiko", "ssl", "asyncio"] {
            m[name] = "it reaches the network"
        }
        for name in ["shutil", "tempfile", "glob", "fileinput", "linecache", "io", "_io", "shelve", "dbm", "mmap",
                     "pandas.io", "scipy.io", "sklearn.datasets"] {
            m[name] = "it reads or writes files"
        }
        for name in ["runpy", "pkgutil", "importlib", "imp", "_imp", "zipimport", "code", "codeop", "marshal",
                     "types", "ctypes", "_ctypes", "cffi", "multiprocessing", "threading", "_thread", "signal",
                     "sys", "gc", "inspect", "pdb", "bdb", "timeit", "cProfile", "profile", "trace", "doctest",
                     "site", "sysconfig", "ensurepip", "pip", "setuptools", "distutils", "venv", "operator.methodcaller",
                     "operator.attrgetter", "functools.reduce", "_pickle", "pickle", "dill", "cloudpickle",
                     "numpy.testing", "numpy.f2py", "numpy.distutils", "numpy.ctypeslib",
                     "torch.hub", "torch.utils.cpp_extension", "torch.package", "torch.distributed",
                     "torch._inductor", "torch.serialization", "torch.jit", "torch._dynamo", "torch.ops",
                     "torch._C", "torch.library", "keras", "tensorflow", "tf_keras", "jinja2", "mako",
                     "joblib", "sklearn.externals.joblib"] {
            m[name] = "it loads or runs code"
        }
        return m
    }()

    /// Single names that run code, read or write files, or reach the network.
    static let dangerousNames: [String: String] = {
        var m: [String: String] = [:]
        for name in ["eval", "exec", "execfile", "compile", "__import__", "reload", "apply", "input", "raw_input",
                     "breakpoint", "help", "exit", "quit"] {
            m["builtins." + name] = "it runs code"
        }
        for name in ["getattr", "setattr", "delattr", "globals", "locals", "vars", "dir", "type", "super", "classmethod",
                     "staticmethod", "property"] {
            m["builtins." + name] = "it reaches attributes a pickle cannot name directly, the usual way around an allowlist"
        }
        for name in ["open", "file"] { m["builtins." + name] = "it opens files" }
        m["numpy.load"] = "it loads another file, pickles included when allow_pickle is set"
        m["numpy.lib.npyio.load"] = m["numpy.load"]
        m["numpy.fromfile"] = "it reads files"
        m["numpy.save"] = "it writes files"
        m["numpy.savetxt"] = "it writes files"
        m["numpy.loadtxt"] = "it reads files"
        m["torch.load"] = "it loads another file, pickles included"
        m["torch.save"] = "it writes files"
        m["torch.from_file"] = "it reads files"
        m["pandas.read_pickle"] = "it unpickles another file"
        m["pandas.read_csv"] = "it reads files or URLs"
        m["operator.itemgetter"] = "it reaches items a pickle cannot name directly"
        m["collections.namedtuple"] = "it compiles code from the field names it is given"
        m["builtins.memoryview"] = "it exposes raw memory"
        return m
    }()
}
