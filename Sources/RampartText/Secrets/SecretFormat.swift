/// A provider's credential format: a fixed prefix and a body of known alphabet and length.
///
/// Formats come from the providers' own documentation of their token formats and from the rule sets of
/// gitleaks and GitHub secret scanning; each names its provider in `type`.
struct SecretFormat: Sendable {
    enum Alphabet: Sendable {
        case alnum, upperAlnum, lowerAlnum, hexLower, hex, base64url, base64, base32Upper, alnumDotDash, urlPath

        func contains(_ b: UInt8) -> Bool {
            switch self {
            case .alnum: return ASCII.isAlnum(b)
            case .upperAlnum: return ASCII.isDigit(b) || b &- 0x41 < 26
            case .lowerAlnum: return ASCII.isDigit(b) || b &- 0x61 < 26
            case .hexLower: return ASCII.isDigit(b) || b &- 0x61 < 6
            case .hex: return ASCII.isHex(b)
            case .base64url: return ASCII.isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
            case .base64: return ASCII.isAlnum(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=")
            case .base32Upper: return b &- 0x41 < 26 || b &- 0x32 < 6
            case .alnumDotDash: return ASCII.isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
            case .urlPath: return ASCII.isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "/")
            }
        }
    }

    let type: String
    let prefix: [UInt8]
    let alphabet: Alphabet
    let length: ClosedRange<Int>
    /// A literal the body must contain (OpenAI's legacy keys embed `T3BlbkFJ`, base64 of "OpenAI").
    let contains: [UInt8]?

    /// Whether the body must mix letters and digits and use at least 8 distinct characters: for short or
    /// common prefixes (`SK`, `key-`, `md-`), where a word could follow by chance.
    let strictBody: Bool

    init(_ type: String, _ prefix: String, _ alphabet: Alphabet, _ length: ClosedRange<Int>, contains: String? = nil, strict: Bool = false) {
        self.type = type
        self.prefix = Array(prefix.utf8)
        self.alphabet = alphabet
        self.length = length
        self.contains = contains.map { Array($0.utf8) }
        self.strictBody = strict
    }

    init(_ type: String, _ prefix: String, _ alphabet: Alphabet, _ length: Int, contains: String? = nil, strict: Bool = false) {
        self.init(type, prefix, alphabet, length...length, contains: contains, strict: strict)
    }

    /// The provider formats, most specific prefixes first (a longer prefix is tried before a shorter one it extends).
    static let all: [SecretFormat] = [
        // Cloud
        .init("AWS_ACCESS_KEY_ID", "AKIA", .upperAlnum, 16), .init("AWS_ACCESS_KEY_ID", "ASIA", .upperAlnum, 16),
        .init("AWS_ACCESS_KEY_ID", "ABIA", .upperAlnum, 16), .init("AWS_ACCESS_KEY_ID", "ACCA", .upperAlnum, 16),
        .init("GOOGLE_API_KEY", "AIza", .base64url, 35), .init("GOOGLE_OAUTH_CLIENT_SECRET", "GOCSPX-", .base64url, 28),
        .init("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.", .base64url, 30...400),
        .init("DIGITALOCEAN_TOKEN", "dop_v1_", .hexLower, 64), .init("DIGITALOCEAN_OAUTH_TOKEN", "doo_v1_", .hexLower, 64),
        .init("DIGITALOCEAN_REFRESH_TOKEN", "dor_v1_", .hexLower, 64),
        .init("HEROKU_API_KEY", "HRKU-AA", .base64url, 58), .init("ALIBABA_ACCESS_KEY_ID", "LTAI", .alnum, 20...24, strict: true),
        .init("DATABRICKS_TOKEN", "dapi", .hexLower, 32...34, strict: true), .init("HASHICORP_VAULT_TOKEN", "hvs.", .base64url, 90...120),
        .init("HASHICORP_VAULT_BATCH_TOKEN", "hvb.", .base64url, 138...300), .init("PULUMI_TOKEN", "pul-", .hexLower, 40),
        .init("DOPPLER_TOKEN", "dp.pt.", .alnum, 43), .init("SCALEWAY_ACCESS_KEY_ID", "SCW", .upperAlnum, 17, strict: true),
        .init("FLY_IO_TOKEN", "fo1_", .base64url, 43), .init("NETLIFY_TOKEN", "nfp_", .alnum, 36),
        .init("VERCEL_TOKEN", "vcp_", .alnum, 56),
        // Version control and CI
        .init("GITHUB_PAT", "ghp_", .alnum, 36), .init("GITHUB_OAUTH_TOKEN", "gho_", .alnum, 36), .init("GITHUB_USER_TOKEN", "ghu_", .alnum, 36),
        .init("GITHUB_APP_TOKEN", "ghs_", .alnum, 36), .init("GITHUB_REFRESH_TOKEN", "ghr_", .alnum, 36),
        .init("GITHUB_FINE_GRAINED_PAT", "github_pat_", .base64url, 82),
        .init("GITLAB_PAT", "glpat-", .base64url, 20...64), .init("GITLAB_PIPELINE_TRIGGER_TOKEN", "glptt-", .hexLower, 40),
        .init("GITLAB_RUNNER_TOKEN", "glrt-", .base64url, 20...64), .init("GITLAB_DEPLOY_TOKEN", "gldt-", .base64url, 20...64),
        .init("GITLAB_RUNNER_REGISTRATION_TOKEN", "GR1348941", .base64url, 20...64),
        .init("BITBUCKET_APP_PASSWORD", "ATBB", .alnum, 32...40, strict: true), .init("ATLASSIAN_API_TOKEN", "ATATT3", .alnumDotDash, 180...200),
        .init("NPM_TOKEN", "npm_", .alnum, 36, strict: true), .init("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc", .base64url, 50...300),
        .init("RUBYGEMS_API_KEY", "rubygems_", .hexLower, 48), .init("DOCKER_HUB_PAT", "dckr_pat_", .base64url, 27),
        .init("CLOJARS_TOKEN", "CLOJARS_", .lowerAlnum, 60), .init("TERRAFORM_CLOUD_TOKEN", "atlasv1.", .base64url, 60...70),
        .init("POSTMAN_API_KEY", "PMAK-", .alnumDotDash, 59), .init("SONAR_TOKEN", "squ_", .hexLower, 40),
        .init("LINEAR_API_KEY", "lin_api_", .alnum, 40), .init("NOTION_TOKEN", "ntn_", .alnum, 46),
        .init("NOTION_TOKEN", "secret_", .alnum, 43, strict: true), .init("FIGMA_TOKEN", "figd_", .base64url, 40...44),
        .init("SENTRY_ORG_TOKEN", "sntrys_", .base64, 60...200), .init("SENTRY_USER_TOKEN", "sntryu_", .hexLower, 64),
        .init("GRAFANA_CLOUD_TOKEN", "glc_", .base64, 32...400), .init("GRAFANA_SERVICE_ACCOUNT_TOKEN", "glsa_", .alnumDotDash, 41),
        .init("NEW_RELIC_USER_KEY", "NRAK-", .upperAlnum, 27), .init("NEW_RELIC_INSERT_KEY", "NRII-", .base64url, 32),
        .init("AGE_SECRET_KEY", "AGE-SECRET-KEY-1", .upperAlnum, 58), .init("SHIPPO_TOKEN", "shippo_live_", .hexLower, 40),
        // Payment
        .init("STRIPE_SECRET_KEY", "sk_live_", .alnum, 24...247), .init("STRIPE_TEST_SECRET_KEY", "sk_test_", .alnum, 24...247),
        .init("STRIPE_RESTRICTED_KEY", "rk_live_", .alnum, 24...247), .init("STRIPE_TEST_RESTRICTED_KEY", "rk_test_", .alnum, 24...247),
        .init("STRIPE_WEBHOOK_SECRET", "whsec_", .base64, 32...64),
        .init("SQUARE_ACCESS_TOKEN", "sq0atp-", .base64url, 22), .init("SQUARE_OAUTH_SECRET", "sq0csp-", .base64url, 43),
        .init("SHOPIFY_ACCESS_TOKEN", "shpat_", .hex, 32), .init("SHOPIFY_CUSTOM_APP_TOKEN", "shpca_", .hex, 32),
        .init("SHOPIFY_PRIVATE_APP_TOKEN", "shppa_", .hex, 32), .init("SHOPIFY_SHARED_SECRET", "shpss_", .hex, 32),
        .init("BRAINTREE_ACCESS_TOKEN", "access_token$production$", .alnumDotDash, 40...60),
        .init("FLUTTERWAVE_SECRET_KEY", "FLWSECK-", .hexLower, 32...34), .init("EASYPOST_API_KEY", "EZAK", .alnum, 54, strict: true),
        // Messaging and e-mail
        .init("SLACK_BOT_TOKEN", "xoxb-", .alnumDotDash, 20...200), .init("SLACK_USER_TOKEN", "xoxp-", .alnumDotDash, 20...200),
        .init("SLACK_APP_TOKEN", "xapp-", .alnumDotDash, 20...200), .init("SLACK_LEGACY_TOKEN", "xoxa-", .alnumDotDash, 20...200),
        .init("SLACK_REFRESH_TOKEN", "xoxe-", .alnumDotDash, 20...200), .init("SLACK_LEGACY_TOKEN", "xoxs-", .alnumDotDash, 20...200),
        .init("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/", .urlPath, 40...60),
        .init("DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/", .urlPath, 80...100),
        .init("SENDGRID_API_KEY", "SG.", .alnumDotDash, 66), .init("MAILGUN_API_KEY", "key-", .hexLower, 32, strict: true),
        .init("TWILIO_API_KEY", "SK", .hexLower, 32, strict: true), .init("MAILCHIMP_TRANSACTIONAL_KEY", "md-", .base64url, 22, strict: true),
        // AI providers
        .init("OPENAI_API_KEY", "sk-proj-", .base64url, 40...200), .init("OPENAI_SERVICE_ACCOUNT_KEY", "sk-svcacct-", .base64url, 40...200),
        .init("OPENAI_ADMIN_KEY", "sk-admin-", .base64url, 40...200), .init("OPENAI_API_KEY", "sk-", .alnum, 48, contains: "T3BlbkFJ"),
        .init("ANTHROPIC_API_KEY", "sk-ant-api03-", .base64url, 90...100), .init("ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-", .base64url, 90...100),
        .init("HUGGINGFACE_TOKEN", "hf_", .alnum, 34, strict: true), .init("GROQ_API_KEY", "gsk_", .alnum, 52), .init("REPLICATE_API_TOKEN", "r8_", .alnum, 37),
        .init("PERPLEXITY_API_KEY", "pplx-", .alnum, 48), .init("XAI_API_KEY", "xai-", .alnum, 80),
        .init("LANGSMITH_API_KEY", "lsv2_pt_", .base64url, 40...50), .init("LANGSMITH_API_KEY", "lsv2_sk_", .base64url, 40...50),
        .init("OPENROUTER_API_KEY", "sk-or-v1-", .hexLower, 64), .init("DEEPSEEK_API_KEY", "sk-", .hexLower, 32, strict: true),
        // Rampart's own keys (rk_<13 base32 id>_<52 base32 secret>, see APIKey).
        .init("RAMPART_API_KEY", "rk_", .alnumDotDash, 66),
    ]
}
