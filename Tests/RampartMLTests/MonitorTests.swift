import Foundation
import RampartCore
import RampartML
import RampartONNX
import Testing

/// The model-access monitors on recorded query streams (scripts/onnx/make-query-streams.py): black-box evasion attacks
/// by adversarial-robustness-toolbox (HopSkipJump, Square, SimBA) and extraction streams against the bundled digits
/// MLP must be detected, test-set images in random order must not; and the statistics under PRADA agree with scipy.
@Suite("Query monitors")
struct MonitorTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/streams")

    struct Stream: Decodable {
        var name: String
        var kind: String
        var queries: [[Float]]
    }

    static func stream(_ name: String) throws -> Stream {
        try JSONDecoder().decode(Stream.self, from: Data(contentsOf: directory.appendingPathComponent("\(name).json")))
    }

    /// Shapiro–Wilk W from scipy.stats.shapiro 1.17 on the same values.
    static let scipy: [(String, Double, [Double])] = [
        ("normal20", 0.9746505606478881, [0.1257302210933933,-0.1321048632913019,0.6404226504432821,0.10490011715303971,-0.535669373161111,0.36159505490948474,1.3040000451301372,0.9470809631292422,-0.7037352358069926,-1.2654214710460525,-0.6232744625373522,0.0413259793472436,-2.3250307746388343,-0.21879166393254573,-1.2459109472530652,-0.7322673547034516,-0.5442589828573099,-0.31630015636915454,0.4116305363741328,1.0425133694426776]),
        ("uniform50", 0.9522453648157819, [0.028319671145462966,0.12428327649956394,0.6706244146936303,0.6471895115742501,0.6153851114812539,0.38367755426188344,0.997209935789211,0.9808353387762301,0.6855419844806947,0.6504592762678163,0.6884467305709401,0.3889214239791038,0.13509650502241122,0.7214883401940817,0.5253543224757259,0.31024187555895566,0.4858353588317891,0.8894878343490003,0.9340435159562497,0.35779519670907023,0.5715298307297609,0.32186939107594215,0.5943000301996968,0.33791122550713326,0.39161900052816123,0.8902743520047923,0.22715759353337972,0.6231871446860424,0.08401534358238483,0.8326441476533978,0.7870983074886834,0.23936944299295215,0.8764842308107038,0.05856803480519435,0.3361170605456604,0.15027946689483906,0.450339366649287,0.7963242702872942,0.23064220899374743,0.05202130106440961,0.4045518398215282,0.19851304450925533,0.0907530456191219,0.5803323859868507,0.2986961328189226,0.6719948779563594,0.1995154439682133,0.9421131105064978,0.36511016824482856,0.10549527957022953]),
        ("exp200", 0.8575507751830246, [1.1825294306622365,2.880102762748592,0.8647433797272157,3.6975276862570925,0.5068971664718833,1.2858477775042385,2.0188241277218437,0.8459917129471504,0.7440647612649306,0.6007224136475852,0.0726771960671351,4.4525840839647115,1.6703202354627606,0.5219321428246665,1.7550323889310284,1.0149104366808956,0.012049365743779815,1.3703237340519459,1.4136731367066593,0.5051462095662034,0.013340061037918727,2.7326033276673685,2.087284111890885,3.804533386963642,0.04579446543482769,2.8899989946112674,2.6442902212531845,3.1853973152794075,2.1886187253585367,0.34599347248765694,2.341913308790867,0.5163462530725051,0.6092897884021286,1.4376474031163997,0.8383312972417958,0.8644707908826963,0.10389798814501072,0.710987546156189,3.7748103954999306,0.08974952873906909,1.552504847819758,0.01587413282941831,1.7098114704311183,0.6136631515965003,1.0516288359348838,0.15470435510888547,0.9977388527482453,0.19815787435906926,0.610334603748662,0.8890749866017297,0.4554983791177939,0.18516470911308114,0.6410527652398641,0.30523473549141683,0.09405623859424751,2.5076464639467138,1.5760612939232383,0.7865118434841879,2.060622125448804,0.49034632357074726,0.28630028177718453,0.4319157669271299,2.8276983636237603,0.438155113985088,1.8027703758155795,1.1170410768350527,0.3156888947005163,0.5578268665166972,0.3279646316485334,0.2898422016811887,1.2743850508846937,1.661142031277937,0.01092427647033415,2.230057339357213,0.9301540634368061,2.21356352026983,0.041842141955501067,1.3796083549071658,0.0906954599116824,0.9263632773092956,2.381697779609849,1.0054552677802369,3.610540124010328,0.27374687610885584,3.9431616436990176,0.16249249206368224,2.2397470810834235,0.7071663307048389,0.7983267107698496,0.6916128332080137,0.6364465020608308,2.836810418258021,1.2009012353612147,0.5178592688127327,0.2937934036462658,0.09764476242173575,2.5485421709154368,2.6190339572091763,0.6843781743958907,0.9616008630652144,1.9549486181982034,1.7648451515415835,0.9003482738217292,0.3855688061440548,0.6975852586852622,2.445186695802489,1.6729785547244984,0.1963006681990851,0.556954486573034,4.078138576146397,0.575260558403075,1.24839353075963,0.6709771056014987,0.6010604941407356,0.4804163396257528,0.6173052697995673,2.316044460375588,1.1220167926700997,0.024824279359456088,1.1414104510375858,1.1707760274360253,0.8991394199009254,1.254131039282476,0.7173162827165646,1.2641427957410716,0.44012985906778346,0.384327748942475,1.5091817238753549,1.6934805705708031,0.2166066747415084,1.1362176529421246,0.9475592067484523,0.7044064778674,1.1946169493237797,0.4074608445495659,0.9484799325499501,0.28846602633019874,0.06524055449597484,1.0835575264409951,0.31421486861487785,1.0823007955848243,3.4314708677608885,1.758561307689181,0.16505787697164315,0.09941121340728273,0.16712120907766304,1.8215445235810408,1.4094377000402338,0.7806649478388464,0.14308002437767328,0.28939811550298494,0.20792135185172925,0.34364038628916704,0.5062152769525475,0.8287350314786334,0.6050182832620891,0.38983832915431715,0.8017301756840223,0.5178677750684374,1.0202022839457714,0.56385724426594,2.297429244566309,0.16790816084574414,1.5608291696739993,4.711109594311026,0.7978638996835375,2.086474171300873,1.8557981426818406,2.839585355660166,1.9016425410788333,0.04267412328643311,1.725236611519732,0.800470948920445,0.6976040391562912,2.053839048734216,2.0718961698676233,0.2672491850161422,0.5271143597496382,2.756388985116388,0.9738792836323745,0.22539524344068335,6.928464553651633,0.15248056059579568,0.45738224099643404,0.3607188360254658,0.7747269848057325,0.45363132977459736,0.5823192259010433,0.000487348454836636,0.10220718144324326,3.181355208375343,0.20849368397131693,1.8050022664816738,3.559025092381137,1.2611407982707394,2.529163444606649,1.0627899710158526,1.4587151495120727,2.2134368551983568,1.8809962320872442]),
        ("five", 0.9344338591018548, [1.0,2.0,4.0,7.0,11.0]),
        ("three", 0.9642857142857142, [1.0,2.0,4.0]),
    ]

    @Test func shapiroWilkMatchesScipy() {
        for (name, expected, values) in Self.scipy {
            #expect(abs(ShapiroWilk.w(values) - expected) < 2e-4, "\(name): \(ShapiroWilk.w(values)) vs scipy \(expected)")
        }
        #expect(abs(Normal.quantile(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(Normal.quantile(1e-10) + 6.361340902404056) < 1e-9)
        #expect(abs(Normal.cdf(Normal.quantile(0.3)) - 0.3) < 1e-14)
    }

    /// The first query (1-based) each detector flags on a stream, and how many it flags.
    static func replay(_ stream: Stream, labels: [Int]) -> (stateful: (first: Int?, count: Int), prada: (first: Int?, count: Int)) {
        let hashing = QueryHashDetector(.init())
        let prada = PRADADetector(.init())
        var history = QueryHashDetector.History()
        var state = PRADADetector.State()
        var stateful: (Int?, Int) = (nil, 0), extraction: (Int?, Int) = (nil, 0)
        for (i, query) in stream.queries.enumerated() {
            if history.observe(hashing.signature(query[...]), history: hashing.parameters.history) >= hashing.parameters.threshold {
                stateful = (stateful.0 ?? i + 1, stateful.1 + 1)
            }
            if let w = state.observe(query[...], label: labels[i], parameters: prada.parameters), w < prada.parameters.delta {
                extraction = (extraction.0 ?? i + 1, extraction.1 + 1)
            }
        }
        return ((stateful.0, stateful.1), (extraction.0, extraction.1))
    }

    static func labels(_ stream: Stream) throws -> [Int] {
        let graph = try ONNXGraph(ONNXModel.load(path: ONNXModelTests.models.appendingPathComponent("digits_mlp.onnx").path))
        let x = try Tensor(shape: [stream.queries.count, 64], data: stream.queries.flatMap { $0 })
        guard case .ints(let labels)? = try graph.run(["X": .floats(x)], outputs: ["output_label"])["output_label"] else { return [] }
        return labels.data.map { Int($0) }
    }

    @Test("attack streams are detected within 50 queries; benign streams raise nothing")
    func streams() throws {
        var table: [String] = []
        for name in ["hopskipjump", "square", "simba", "extraction_jbda", "extraction_uniform", "benign_1", "benign_2"] {
            let stream = try Self.stream(name)
            let result = Self.replay(stream, labels: try Self.labels(stream))
            table.append("\(name): stateful first \(result.stateful.first.map(String.init) ?? "-") (\(result.stateful.count)/\(stream.queries.count)), "
                         + "PRADA first \(result.prada.first.map(String.init) ?? "-") (\(result.prada.count)/\(stream.queries.count))")
            switch stream.kind {
            case "evasion":
                #expect((result.stateful.first ?? .max) <= 50, "\(name): \(result)")
            case "benign":
                #expect(result.stateful.count == 0 && result.prada.count == 0, "\(name): false alarms \(result)")
            default:
                if name == "extraction_jbda" { #expect((result.prada.first ?? .max) <= 50, "\(name): \(result)") }
            }
        }
        print(table.joined(separator: "\n"))
    }

    @Test func memoryIsBoundedAndStateSurvivesEncoding() throws {
        let hashing = QueryHashDetector(.init(history: 5))
        var history = QueryHashDetector.History()
        let stream = try Self.stream("square")
        for query in stream.queries.prefix(20) { _ = history.observe(hashing.signature(query[...]), history: 5) }
        #expect(history.recent.count == 5)
        let decoded = try JSONDecoder().decode(QueryHashDetector.History.self, from: JSONEncoder().encode(history))
        #expect(decoded == history)
        var a = decoded, b = history
        let probe = hashing.signature(stream.queries[20][...])
        #expect(a.observe(probe, history: 5) == b.observe(probe, history: 5))

        let parameters = PRADADetector.Parameters(perClass: 3, distances: 10)
        var state = PRADADetector.State()
        for (i, query) in stream.queries.prefix(60).enumerated() { _ = state.observe(query[...], label: i % 2, parameters: parameters) }
        let encoded = try JSONEncoder().encode(state)
        let restored = try JSONDecoder().decode(PRADADetector.State.self, from: encoded)
        #expect(restored == state)
        #expect(encoded.count < 20_000)
    }
}
