import Testing
@testable import RampartCore

@Suite struct ConfigLoaderTests {
    static let minimal = """
        routes:
          - name: chat
            upstream: "http://127.0.0.1:11434/v1"
        """

    @Test func minimalConfigGetsDefaults() throws {
        let config = try ConfigLoader.load(yaml: Self.minimal)
        #expect(config.server.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.server.adminListen == ListenAddress(host: "127.0.0.1", port: 8081))
        #expect(config.server.maxBodyBytes == 1_048_576)
        #expect(config.store.sqlite == "rampart.db")
        #expect(config.store.durability == .strict)
        #expect(config.routes.count == 1)
        #expect(config.routes[0].kind == .openai)
        #expect(config.routes[0].timeoutSeconds == 60)
        #expect(config.routes[0].limits.isUnlimited)
    }

    /// The example configuration of the gateway issue, also the seed of the mutation tests.
    static let issueExample = """
            server:
              listen: "127.0.0.1:8080"
              admin_listen: "127.0.0.1:8081"      # admin API, separate listener
              max_body_bytes: 1048576
            store:
              sqlite: "rampart.db"
            routes:
              - name: chat
                kind: openai
                upstream: "http://127.0.0.1:11434/v1"
                upstream_api_key_env: UPSTREAM_API_KEY
                timeout_seconds: 60
                limits: { rate_per_second: 10, burst: 20, requests_per_day: 10000, tokens_per_day: 2000000 }
            """

    @Test func exampleConfigFromTheIssueParses() throws {
        let config = try ConfigLoader.load(yaml: Self.issueExample)
        let route = try #require(config.route(named: "chat"))
        #expect(route.upstreamAPIKeyEnv == "UPSTREAM_API_KEY")
        #expect(route.limits == RouteLimits(ratePerSecond: 10, burst: 20, requestsPerDay: 10000, tokensPerDay: 2_000_000))
    }

    @Test func guardsFromTheIssueParse() throws {
        let yaml = """
            routes:
              - name: chat
                upstream: "http://127.0.0.1:11434/v1"
                guards:
                  input:  { injection: block, pii: redact, secrets: block, invisible: strip }
                  output: { pii: redact, secrets: redact, canary: block, exfiltration: redact }
                  allowed_hosts: [cdn.example.com]
                  block_response: refusal
                  indirect_injection_threshold: 0.25
                  redaction: pseudonym
                  pseudonym_key_env: RAMPART_PSEUDONYM_KEY
                  entities: { IP_ADDRESS: generalize, PERSON: off }
                  canary_template: "marker {canary}"
                  stream_window: 512
            """
        let guards = try #require(try ConfigLoader.load(yaml: yaml).routes[0].guards)
        #expect(guards.inputInjection == .block && guards.inputPII == .redact && guards.inputSecrets == .block && guards.inputInvisible == .strip)
        #expect(guards.outputPII == .redact && guards.outputSecrets == .redact && guards.outputCanary == .block && guards.outputExfiltration == .redact)
        #expect(guards.allowedHosts == ["cdn.example.com"])
        #expect(guards.blockResponse == .refusal && guards.onError == .block)
        #expect(guards.injectionThreshold == 0.5 && guards.indirectInjectionThreshold == 0.25)
        #expect(guards.redaction == "pseudonym" && guards.entities == ["IP_ADDRESS": "generalize", "PERSON": "off"])
        #expect(guards.canaryTemplate == "marker {canary}" && guards.streamWindow == 512 && guards.isActive)
    }

    @Test(arguments: [
        // (yaml, code, path, line)
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { input: { injection: redact } }\n", "invalid_value", "routes[0].guards.input.injection", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { output: { canary: strip } }\n", "invalid_value", "routes[0].guards.output.canary", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { input: { pii: redact }, redaction: pseudonym }\n", "missing_key", "routes[0].guards", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { canary_template: \"no token here\" }\n", "invalid_value", "routes[0].guards.canary_template", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { entities: { email: mask } }\n", "invalid_value", "routes[0].guards.entities", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { entities: { EMAIL: shred } }\n", "invalid_value", "routes[0].guards.entities.EMAIL", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { injection_threshold: 2 }\n", "invalid_value", "routes[0].guards.injection_threshold", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { inputs: {} }\n", "unknown_key", "routes[0].guards.inputs", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { entities: { EMAL: off } }\n", "invalid_value", "routes[0].guards.entities", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    guards: { allowed_hosts: [\"https://cdn.example.com/x\"] }\n", "invalid_value", "routes[0].guards.allowed_hosts[0]", 4),
        ("routes:\n  - name: chat\n    upstream: \"http://a/v1\"\n    limits: { rate_per_secnd: 3 }\n", "unknown_key", "routes[0].limits.rate_per_secnd", 4),
        ("server:\n  listen: nowhere\nroutes:\n  - name: a\n    upstream: \"http://a/v1\"\n", "invalid_value", "server.listen", 2),
        ("server:\n  max_body_bytes: lots\nroutes:\n  - name: a\n    upstream: \"http://a/v1\"\n", "invalid_type", "server.max_body_bytes", 2),
        ("routes:\n  - name: a\n    upstream: \"ftp://a/v1\"\n", "invalid_value", "routes[0].upstream", 3),
        ("routes:\n  - upstream: \"http://a/v1\"\n", "missing_key", "routes[0]", 2),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n  - name: a\n    upstream: \"http://b/v1\"\n", "duplicate_route", "routes[1]", 4),
        ("routes:\n  - name: a\n    kind: grpc\n    upstream: \"http://a/v1\"\n", "invalid_value", "routes[0].kind", 3),
        ("store:\n  durability: sometimes\nroutes:\n  - name: a\n    upstream: \"http://a/v1\"\n", "invalid_value", "store.durability", 2),
        ("routes: []\n", "invalid_value", "routes", 1),
        ("server: {}\n", "missing_key", "routes", nil),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    limits: { burst: 3 }\n", "invalid_value", "routes[0].limits", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n  - name: b\n    upstream: \"http://b/v1\"\n", "ambiguous_routes", "routes[1].models", nil),
        ("server:\n  listen: \"127.0.0.1:9000\"\n  admin_listen: \"127.0.0.1:9000\"\nroutes:\n  - name: a\n    upstream: \"http://a/v1\"\n", "invalid_value", "server", 2),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    upstream_api_key_env: \"sk-live-123\"\n", "invalid_value", "routes[0].upstream_api_key_env", 4),
        ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    timeout_seconds: -1\n", "invalid_value", "routes[0].timeout_seconds", 4),
        ("routes:\n  - name: \"a b\"\n    upstream: \"http://a/v1\"\n", "invalid_value", "routes[0].name", 2),
        ("routes: [\n", "yaml_syntax", "", nil),
        ("", "empty", "", nil),
        ("- 1\n- 2\n", "invalid_type", "", nil),
        ("base: &a {x: 1}\nroutes: *a\n", "unknown_key", "base", 1),
    ] as [(String, String, String, Int?)])
    func badConfigNamesKeyPathAndLine(yaml: String, code: String, path: String, line: Int?) {
        do {
            _ = try ConfigLoader.load(yaml: yaml, file: "rampart.yaml")
            Issue.record("expected \(code) at \(path)")
        } catch {
            #expect(error.code == code)
            #expect(error.path == path)
            if let line { #expect(error.line == line) }
            #expect(error.description.hasPrefix("rampart.yaml"))
        }
    }

    @Test func ledgerSection() throws {
        #expect(try ConfigLoader.load(yaml: Self.minimal).ledger == LedgerConfig(origin: "rampart/ledger", signingKey: nil))
        let config = try ConfigLoader.load(yaml: "ledger:\n  origin: acme.example/ledger\n  signing_key: keys/ledger.pem\n" + Self.minimal)
        #expect(config.ledger == LedgerConfig(origin: "acme.example/ledger", signingKey: "keys/ledger.pem"))
        for bad in ["ledger:\n  origin: \"has space\"\n", "ledger:\n  origin: a+b\n", "ledger:\n  signing_key: \"\"\n", "ledger:\n  signing_kye: x\n"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigLoader.load(yaml: bad + Self.minimal) }
        }
    }

    @Test func signingKeyDefaultsBesideTheSQLiteStore() throws {
        var config = try ConfigLoader.load(yaml: Self.minimal)
        config.store.sqlite = "/srv/rampart/data.db"
        #expect(config.signingKeyPath == "/srv/rampart/data.ledger.pem" && config.signingKeyIsDefault)
        config.store.sqlite = "store"
        #expect(config.signingKeyPath == "store.ledger.pem")
        config.ledger.signingKey = "/keys/ledger.pem"
        #expect(config.signingKeyPath == "/keys/ledger.pem" && !config.signingKeyIsDefault)
        // Replicas on PostgreSQL must share one key: none is made up for them.
        config.ledger.signingKey = nil
        config.store.postgres = "postgres://rampart@127.0.0.1:5432/rampart"
        #expect(config.signingKeyPath == nil && !config.signingKeyIsDefault)
    }

    @Test func ledgerIntervals() throws {
        let config = try ConfigLoader.load(yaml: """
            ledger:
              record_decisions: false
              decisions_interval_seconds: 0.5
              retention_interval_seconds: 60
              checkpoint_interval_seconds: 0
            """ + "\n" + Self.minimal)
        #expect(!config.ledger.recordDecisions && config.ledger.decisionsIntervalSeconds == 0.5)
        #expect(config.ledger.retentionIntervalSeconds == 60 && config.ledger.checkpointIntervalSeconds == 0)
        for bad in ["ledger:\n  record_decisions: maybe\n", "ledger:\n  decisions_interval_seconds: 0\n", "ledger:\n  checkpoint_interval_seconds: -1\n"] {
            #expect(throws: ConfigError.self, "\(bad)") { try ConfigLoader.load(yaml: bad + Self.minimal) }
        }
    }

    @Test func postgresStore() throws {
        let config = try ConfigLoader.load(yaml: """
            store:
              postgres: "postgres://rampart@db.internal:5432/rampart?tlsmode=require"
              postgres_password_env: RAMPART_PG_PASSWORD
              schema: rampart_prod
              pool_size: 16
              timeout_seconds: 2.5
            """ + "\n" + Self.minimal)
        #expect(config.store.postgres == "postgres://rampart@db.internal:5432/rampart?tlsmode=require")
        #expect(config.store.postgresPasswordEnv == "RAMPART_PG_PASSWORD" && config.store.schema == "rampart_prod")
        #expect(config.store.poolSize == 16 && config.store.timeoutSeconds == 2.5)
        let bad: [(String, String)] = [
            ("store:\n  postgres: \"postgres://rampart:hunter2@db/rampart\"\n", "password"),
            ("store:\n  postgres: \"postgres://u:p/w@db/rampart\"\n", "URL"),
            ("store:\n  postgres: \"mysql://db/rampart\"\n", "postgres://"),
            ("store:\n  sqlite: a.db\n  postgres: \"postgres://r@db/x\"\n", "not both"),
            ("store:\n  postgres: \"postgres://r@db/x\"\n  schema: \"Bad-Name\"\n", "schema"),
            ("store:\n  postgres: \"postgres://r@db/x\"\n  pool_size: 1\n", "pool_size"),
            ("store:\n  schema: rampart\n", "PostgreSQL only"),
        ]
        for (yaml, says) in bad {
            do {
                _ = try ConfigLoader.load(yaml: yaml + Self.minimal)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.description.contains(says), "\(yaml) → \(error.description)")
                #expect(!error.description.contains("hunter2"))
            }
        }
    }

    @Test func purposesAndRoutePurposes() throws {
        let yaml = """
            purposes:
              - { id: support, lawful_basis: consent, description: help, data_categories: [conversation], retention_days: 365 }
              - { id: billing, lawful_basis: contract }
            routes:
              - name: chat
                upstream: "http://127.0.0.1:11434/v1"
                purpose: support
                require_subject: true
            """
        let config = try ConfigLoader.load(yaml: yaml)
        #expect(config.purposes == [PurposeConfig(id: "support", description: "help", lawfulBasis: .consent, dataCategories: ["conversation"], retentionDays: 365),
                                    PurposeConfig(id: "billing", lawfulBasis: .contract)])
        #expect(config.routes[0].purpose == "support" && config.routes[0].requireSubject)
        let bad: [(String, String)] = [
            (yaml.replacingOccurrences(of: "purpose: support", with: "purpose: marketing"), "unknown_purpose"),
            (yaml.replacingOccurrences(of: "id: billing", with: "id: support"), "duplicate_purpose"),
            (yaml.replacingOccurrences(of: "lawful_basis: contract", with: "lawful_basis: vibes"), "invalid_value"),
            (yaml.replacingOccurrences(of: ", lawful_basis: contract", with: ""), "missing_key"),
            (yaml.replacingOccurrences(of: "require_subject: true", with: "require_subject: yes please"), "invalid_value"),
            (yaml.replacingOccurrences(of: "retention_days: 365", with: "retention_days: 0"), "invalid_value"),
        ]
        for (text, code) in bad {
            #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: text) }
            do { _ = try ConfigLoader.load(yaml: text) } catch { #expect(error.code == code, "\(error)") }
        }
    }

    @Test func unknownKeySuggestsTheNearestOne() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: "routes:\n  - name: a\n    upstreem: \"http://a/v1\"\n") }
        do {
            _ = try ConfigLoader.load(yaml: "routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    timeout_second: 3\n")
        } catch {
            #expect(error.message.contains("did you mean `timeout_seconds`"))
        }
    }

    @Test func hugeDocumentsAreRefused() {
        let yaml = "routes:\n" + String(repeating: "  - name: x\n", count: 200_000)
        #expect(throws: ConfigError.self) { try ConfigLoader.load(yaml: yaml) }
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080), ("[::1]:9", "::1", 9), ("localhost:0", "localhost", 0),
    ])
    func listenAddresses(text: String, host: String, port: Int) throws {
        let address = try #require(ListenAddress(parsing: text))
        #expect(address.host == host && address.port == port)
    }

    @Test(arguments: ["8080", ":80", "a:99999", "::1:80", "[::1]80", "a:-1", "a:b"])
    func badListenAddresses(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }

    @Test func routeModelPatterns() {
        let route = RouteConfig(name: "r", upstream: "http://x/v1", models: ["gpt-4o", "llama3*"])
        #expect(route.serves(model: "gpt-4o"))
        #expect(!route.serves(model: "gpt-4o-mini"))
        #expect(route.serves(model: "llama3.1:8b"))
        #expect(!route.serves(model: "mistral"))
    }

    @Test func classifierRoutes() throws {
        let config = try ConfigLoader.load(yaml: """
            routes:
              - name: digits
                kind: model
                model: models/digits.onnx
                inputs: { X: { min: 0, max: 1 } }
                output: { confidence: { top_k: 3 } }
                monitor:
                  evasion: { detector: stateful, action: flag, threshold: 8 }
                  extraction: { detector: prada, delta: 0.95 }
                  max_clients: 50
                smoothing: { sigma: 0.5 }
                limits: { rate_per_second: 5 }
              - name: remote
                kind: kserve
                upstream: "http://10.0.0.7:8080"
                upstream_model: iris
                output: { confidence: { round: 2 } }
            """)
        let digits = try #require(config.routes[0].classifier)
        #expect(config.routes[0].kind == .model && digits.model == "models/digits.onnx" && digits.inputRanges["X"] == 0...1)
        #expect(digits.confidence == .topK(3) && digits.evasion?.action == .flag && digits.evasion?.threshold == 8 && digits.evasion?.window == 20)
        #expect(digits.extraction?.delta == 0.95 && digits.extraction?.action == .flag && digits.monitorMaxClients == 50)
        #expect(digits.smoothing == .init(sigma: 0.5, samples: 100, alpha: 0.001) && config.routes[0].limits.ratePerSecond == 5)
        let remote = try #require(config.routes[1].classifier)
        #expect(config.routes[1].kind == .kserve && remote.upstreamModel == "iris" && remote.confidence == .round(2) && remote.evasion == nil)

        let bad: [(String, String)] = [
            ("routes:\n  - name: a\n    kind: model\n", "missing_key"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    upstream: \"http://a/v1\"\n", "unknown_key"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    output: { confidence: some }\n", "invalid_value"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    output: { confidence: { top_k: 0 } }\n", "invalid_value"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    monitor: { evasion: { detector: knn } }\n", "invalid_value"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    monitor: { evasion: { hashes: 5, threshold: 6 } }\n", "invalid_value"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    monitor: { extraction: { action: drop } }\n", "invalid_value"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    inputs: { X: { min: 2, max: 1 } }\n", "invalid_value"),
            ("routes:\n  - name: a\n    kind: model\n    model: m.onnx\n    smoothing: { samples: 10 }\n", "missing_key"),
            ("routes:\n  - name: a\n    kind: kserve\n    upstream: \"http://a\"\n    smoothing: { sigma: 1 }\n", "unknown_key"),
            ("routes:\n  - name: a\n    upstream: \"http://a/v1\"\n    output: { confidence: label }\n", "unknown_key"),
        ]
        for (yaml, code) in bad {
            do {
                _ = try ConfigLoader.load(yaml: yaml)
                Issue.record("accepted: \(yaml)")
            } catch {
                #expect(error.code == code, "\(yaml): \(error)")
                #expect(!error.path.isEmpty || code == "missing_key")
            }
        }
    }
}
