extension InjectionLexicon {
    /// English. Weights: how strongly the phrase alone indicates an injection, set so that the hard negatives in
    /// `InjectionDetectorTests` ("ignore the noise", "act as a reviewer", …) stay below 0.5.
    static let english = """
    # Instruction override: the classic "Ignore the previous directions" (guide: prompt injection).
    INSTRUCTION_OVERRIDE 0.9 : ignore|disregard|forget|skip|override|bypass|neglect|discard|abandon|drop ~4 previous|prior|above|earlier|preceding|foregoing|initial|original|system|all|any|every|your|those|these|developer ~3 instruction*|direction*|rule*|prompt*|guideline*|command*|context|constraint*|polic*|restriction*|guidance|programming|directive*|orders|message*|text
    INSTRUCTION_OVERRIDE 0.8 : ignore|disregard|forget ~2 everything|anything|all ~4 said|told|above|before|previously|earlier|written
    INSTRUCTION_OVERRIDE 0.75 : do|don ~1 not|t ~1 follow|obey|heed|listen ~3 instruction*|rule*|prompt*|guideline*|previous|above|system|original
    INSTRUCTION_OVERRIDE 0.45 : new|updated|revised|additional ~1 instruction*|directive*|orders
    INSTRUCTION_OVERRIDE 0.7 : important|urgent|attention|warning|critical ~2 new|updated|revised|additional ~1 instruction*|directive*|orders|task
    INSTRUCTION_OVERRIDE 0.6 : real|actual|true|secret|hidden ~1 instruction*|directive*|orders|task
    INSTRUCTION_OVERRIDE 0.75 : this|the ~1 is ~1 a|an ~2 override|emergency|system|admin|administrator|developer|priority ~1 message|instruction*|command|update|notice|override
    INSTRUCTION_OVERRIDE 0.45 : from ~1 now ~1 on
    INSTRUCTION_OVERRIDE 0.45 : instead ~3 say|print|output|write|respond|reply|answer|return|translate
    INSTRUCTION_OVERRIDE 0.55 : stop ~2 being|following|acting|doing ~3 assistant|instruction*|rule*|task|what
    INSTRUCTION_OVERRIDE 0.7 : your ~2 new|real|only|actual|true ~1 task|goal|purpose|job|instruction*|objective|mission ~1 is|now
    INSTRUCTION_OVERRIDE 0.5 : end ~1 of ~1 instruction*|prompt|system|context|input|document
    INSTRUCTION_OVERRIDE 0.6 : the ~2 above|previous|prior ~2 instruction*|rule*|prompt* ~2 are|were|is|was ~2 fake|wrong|void|cancelled|canceled|obsolete|outdated|invalid|revoked|test
    # Role play and persona switch: jailbreak personas, "no restrictions".
    ROLE_PLAY 0.85 : dan|stan|dude|aim|jailbreak*|jailbroken|antigpt|betterdan|devmode
    ROLE_PLAY 0.8 : developer|god|debug|unrestricted|sudo|admin|maintenance ~1 mode ~3 enabled|activated|on|enable|activate|now
    ROLE_PLAY 0.75 : do ~1 anything ~1 now
    ROLE_PLAY 0.6 : you ~1 are|re ~1 now|no ~4 unrestricted|unfiltered|uncensored|evil|jailbroken|free|different|new|longer|named|called|an|a
    ROLE_PLAY 0.3 : act|acting|behave|pretend|roleplay|role|simulate|impersonate|imagine|respond ~3 as|like|to|you
    ROLE_PLAY 0.55 : pretend|imagine|act|roleplay ~4 unrestricted|unfiltered|uncensored|evil|jailbroken|amoral|unethical|rogue|malicious
    ROLE_PLAY 0.55 : no|without|free|zero|any ~2 restrictions|limitations|limits|filters|filter|rules|guidelines|ethics|morals|censorship|boundaries|safeguards|constraints|policies
    ROLE_PLAY 0.5 : never ~3 refuse|decline|apologize|apologise|warn
    # System-prompt extraction (guide: leaking of the system prompt, Bing Chat 2023).
    PROMPT_EXTRACTION 0.8 : reveal|show|print|repeat|output|display|tell|give|leak|dump|spell|list|share|recite|disclose|paste|echo|return|provide|copy|translate|summarize|summarise ~4 your|the|initial|original|hidden|secret|system|full|entire|above|first|previous|exact|verbatim ~3 prompt*|instruction*|rules|guidelines|configuration|directives|preamble|setup|message
    PROMPT_EXTRACTION 0.75 : what ~1 is|are|was|were ~2 your ~2 system|initial|original|hidden|secret|first|exact ~1 prompt*|instruction*|rules|message|directives
    PROMPT_EXTRACTION 0.8 : repeat|print|output|copy|echo ~3 words|text|everything|content|all ~2 above|before|preceding|prior
    PROMPT_EXTRACTION 0.8 : write ~1 out|down|back ~3 your|the|all ~3 system|initial|original|hidden|secret|previous|above ~1 prompt*|instruction*|rules|message
    PROMPT_EXTRACTION 0.6 : starting|beginning|begin|start ~2 with ~2 you ~1 are
    PROMPT_EXTRACTION 0.6 : system ~1 prompt ~4 verbatim|word|exactly|code|block|full
    # Exfiltration through tools, links and images.
    EXFILTRATION 0.6 : send|post|forward|email|upload|transmit|exfiltrate|leak|submit|deliver ~6 to ~1 http|https|www|url|endpoint|webhook|server|address|email
    EXFILTRATION 0.8 : append|include|add|embed|encode|insert|put|attach ~6 conversation|chat|history|previous|password*|secret*|api|key|keys|token*|credential*|user|personal|data|messages|email* ~6 url|link|image|query|parameter|markdown
    EXFILTRATION 0.35 : call|invoke|use|execute|run|trigger ~2 the|a ~1 tool|function|plugin|browser|shell|command|code|api
    EXFILTRATION 0.55 : visit|open|fetch|browse|load|navigate|click ~3 http|https|url|link ~8 with|and|include|append|containing
    """
}
