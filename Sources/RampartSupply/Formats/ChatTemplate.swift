import Foundation

/// Chat templates (GGUF's `tokenizer.chat_template`, Hugging Face's `tokenizer_config.json`) are Jinja2 that the
/// serving stack renders. Rendered outside a sandbox, a template that walks Python's object graph
/// (`''.__class__.__mro__[1].__subclasses__()`, `cycler.__init__.__globals__.os.popen(…)`) runs commands: the
/// CVE-2024-34359 class. Real templates only loop over messages and concatenate strings; anything that reaches
/// for Python internals is malicious, and computed attribute access is suspicious.
enum ChatTemplate {
    static let dangerous: [(String, String)] = [
        (#"__[A-Za-z_]+__"#, "reaches Python internals through a double-underscore attribute"),
        (#"\\x5[fF]|\\u005[fF]|\\137"#, "spells an underscore with an escape, hiding a double-underscore attribute"),
        (#"\b(popen|subprocess|import_module|getattr|builtins)\b|\bos\s*\.\s*system\b|\b(eval|exec)\s*\("#, "names a Python function that runs code or commands"),
        (#"\b(lipsum|cycler|joiner|namespace|self)\s*\.\s*_"#, "reaches into a Jinja global's private attributes"),
        (#"\{%-?\s*(import|from|include|extends)\b"#, "loads other templates"),
    ]

    static let suspicious: [(String, String)] = [
        (#"\|\s*attr\s*\("#, "reads an attribute by a computed name (the attr filter)"),
        (#"\[\s*['"]_"#, "reads a private attribute by subscript"),
        (#"\bmap\s*\(\s*attribute\s*=\s*['"]_"#, "maps over private attributes"),
        (#"\|\s*format\s*\("#, "builds strings with the format filter, a way to spell names the template hides"),
    ]

    static func check(_ template: String, in scan: ScanContext, location: String) {
        for (pattern, why) in dangerous where template.range(of: pattern, options: .regularExpression) != nil {
            scan.findings.add(.malicious, "template.injection", "the chat template \(why): rendered outside a sandbox it runs commands (CVE-2024-34359)", at: location)
            return
        }
        for (pattern, why) in suspicious where template.range(of: pattern, options: .regularExpression) != nil {
            scan.findings.add(.suspicious, "template.suspicious", "the chat template \(why)", at: location)
        }
    }
}
