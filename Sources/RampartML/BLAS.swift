import COpenBLAS

/// Matrix products through OpenBLAS (`cblas_sgemm`): the bulk of a dense model's arithmetic.
public enum BLAS {
    /// Sets how many threads OpenBLAS uses. `rampart serve` uses 1: its event loops and Swift's cooperative threads
    /// already fill the cores, and a second pool of spinning BLAS threads would fight them.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The CPU kernel OpenBLAS picked at load time (e.g. `SkylakeX`, `Haswell`).
    public static var coreName: String { String(cString: openblas_get_corename()) }
}
