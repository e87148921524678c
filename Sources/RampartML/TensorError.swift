/// A tensor operation that cannot be done: the message names the shapes or axes at fault.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    case invalidShape(String)
    case invalidAxis(String)
    case incompatibleShapes(String)

    public var description: String {
        switch self {
        case let .invalidShape(why), let .invalidAxis(why), let .incompatibleShapes(why): why
        }
    }
}
