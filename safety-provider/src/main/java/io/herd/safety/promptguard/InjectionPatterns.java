package io.herd.safety.promptguard;

import static io.herd.safety.promptguard.PatternFamily.*;
import static io.herd.safety.promptguard.PatternRule.rule;

import java.util.List;

/**
 * The pattern table of the heuristic scorer. Patterns run on text folded by
 * {@link io.herd.safety.text.TextNormalizer}: lower case, ASCII look-alikes, single spaces.
 * Weights are log-odds contributions; a family counts once, with its strongest matching rule.
 */
final class InjectionPatterns {

    private InjectionPatterns() {
    }

    /** Up to five words, none of them an indefinite article: "print your system prompt", not "write a system prompt". */
    private static final String NO_ARTICLE_FILLER = "(?:(?!an? )[\\w'-]+ ){0,5}?";
    /** The object of a data theft is definite or possessive: "the API keys", "your secrets", not "share passwords". */
    private static final String DEFINITE_FILLER =
            "(?:[\\w'-]+ ){0,3}?(?:the|your|all|any|my|every|user'?s?|stored|saved|admin|its) (?:[\\w'-]+ ){0,2}?";
    private static final String FILLER = "(?:[\\w'-]+[ ,]+){0,5}?";
    private static final String INSTRUCTION_OBJECT = "(?:instructions?|directions?|directives?|rules|guidelines?|guidance|"
            + "prompts?|commands|programming|polic(?:y|ies)|constraints|restrictions|system (?:message|prompt)|"
            + "training|conditioning|the user'?s? (?:question|request|query|instructions?)|task above|"
            + "(?:messages?|text|everything|anything) (?:above|before)|the above|above)";

    static final List<PatternRule> RULES = List.of(
            // --- instructions to drop what came before
            rule(IGNORE_INSTRUCTIONS, 5.5,
                    "\\b(?:ignores?|disregards?|forget|overlook|override|set aside|throw away|abandon|discard|"
                            + "stop following|do not follow|don'?t follow|never mind|bypass) " + FILLER + INSTRUCTION_OBJECT + "\\b",
                    "ignore", "disregard", "forget", "overlook", "override", "set aside", "throw away", "abandon", "discard", "stop follow", "do not follow", "don't follow", "dont follow", "never mind", "bypass"),
            rule(IGNORE_INSTRUCTIONS, 5.0,
                    "\\bforget (?:all |about )?(?:everything|all) (?:you|that you|i|we) (?:were|have been|had been|know|learned|have)\\b"
                            + "|\\bforget (?:everything|all) (?:above|before|prior|earlier)\\b",
                    "forget"),
            rule(IGNORE_INSTRUCTIONS, 4.0,
                    "\\b(?:ignore|disregard|forget) (?:everything|anything|all) (?:before|above|prior|written|said)\\b",
                    "ignore", "disregard", "forget"),

            // --- turning safety off
            rule(SAFETY_BYPASS, 4.5,
                    "\\b(?:bypass|disable|turn off|switch off|deactivate|remove|circumvent|evade|ignore|override|lift|drop|suspend|skip)s? "
                            + "(?:[\\w'-]+ ){0,3}?(?:safety|content|ethical|moral|security)? ?"
                            + "(?:filters?|filtering|guardrails?|guidelines|polic(?:y|ies)|restrictions|safeguards|censorship|moderation|"
                            + "safety(?: mode| settings| features| rules| protocols| checks)?|ethics)\\b",
                    "bypass", "disable", "turn off", "switch off", "deactivate", "remove", "circumvent", "evade", "ignore", "override", "lift", "drop", "suspend", "skip"),
            rule(SAFETY_BYPASS, 4.5,
                    "\\b(?:safety|content|ethical|moral)? ?(?:filters?|guidelines|guardrails|mode|settings|restrictions|limitations|limits|"
                            + "rules|safeguards|polic(?:y|ies)|programming|alignment) (?:are|is|have been|has been|were|got|will be) "
                            + "(?:now |all |hereby |temporarily |officially )?(?:disabled|off|removed|lifted|suspended|revoked|void|gone|"
                            + "deactivated|updated|changed|overridden|bypassed|turned off)\\b",
                    "safety", "content", "ethical", "moral", "filter", "guideline", "guardrail", "mode", "setting", "restriction", "limit", "rule", "safeguard", "polic", "programming", "alignment"),

            // --- "no restrictions" framing
            rule(NO_RESTRICTIONS, 2.5,
                    "\\b(?:no|without|zero|free of|free from|freed from|break free of|broken free (?:of|from)|not bound by|"
                            + "no longer bound by|unbound by|liberated from|released from|devoid of|lacks?|ignores? all) "
                            + "(?:[\\w'-]+ ){0,3}?(?:restrictions?|limitations?|limits|filters?|filtering|censorship|guidelines|rules|"
                            + "content polic(?:y|ies)|ethics|morals?|constraints|confines|boundaries|safeguards|programming|"
                            + "ethical (?:guidelines|restrictions|constraints|principles)|moral (?:guidelines|constraints|compass))\\b",
                    "no", "without", "zero", "free", "break free", "broken free", "not bound", "unbound", "liberated", "released", "devoid", "lack", "ignore"),
            rule(NO_RESTRICTIONS, 2.5,
                    "\\b(?:doesn'?t|does not|don'?t|do not|never|won'?t|will not|cannot|can'?t) (?:ever )?"
                            + "(?:care about|refuse|reject|decline|say no|follow any|obey any|apologi[sz]e)"
                            + "|\\bwithout (?:refusing|refusal|any refusal|declining|apologi[sz]ing|moralizing|warnings)\\b"
                            + "|\\bno (?:refusals?|disclaimers)\\b|\\bcomply with (?:every|any|all) requests?\\b"
                            + "|\\banswer (?:everything|anything|any question|freely)\\b",
                    "do", "never", "won", "will not", "can", "without", "no", "comply", "answer"),
            rule(NO_RESTRICTIONS, 2.5,
                    "\\b(?:uncensored|unfiltered|unrestricted|jailbroken|jail-broken|amoral|unaligned|unethical|"
                            + "unchained|unlimited|unmoderated) (?:ai|model|assistant|mode|version|chatbot|bot|llm|persona|gpt|"
                            + "responses?|answers?|output)\\b|\\b(?:evil|rogue|malicious|dark) (?:ai|bot|assistant|twin|confidant|"
                            + "model|chatbot|version)\\b",
                    "un", "jail", "amoral", "evil", "rogue", "malicious", "dark"),

            // --- known jailbreak personas and modes
            rule(JAILBREAK_PERSONA, 3.0,
                    "\\bdo anything now\\b|\\b(?:you are|you're|act as|as|be|pretend to be) (?:a |an )?"
                            + "(?:dan|stan|dude|aim|evilbot|betterdan|mongo tom|anti-dan|omega|freedomgpt|developer mode)\\b"
                            + "|\\bdan (?:mode|prompt|jailbreak)\\b",
                    "do anything", "you are", "you're", "act as", "as", "be", "pretend", "dan"),
            rule(JAILBREAK_PERSONA, 2.0,
                    "\\b(?:developer|god|jailbreak|jailbroken|unrestricted|uncensored|unfiltered|sudo|maintenance|debug|admin|"
                            + "root|dan|chaos|opposite|evil) mode\\b",
                    "developer", "god", "jailbr", "unrestricted", "uncensored", "unfiltered", "sudo", "maintenance", "debug", "admin", "root", "dan", "chaos", "opposite", "evil"),
            rule(JAILBREAK_PERSONA, 1.0, "\\bdan\\b|\\bjailbreak\\b", "dan", "jailbreak"),

            // --- persona switch: harmless on its own, strong next to "no restrictions"
            rule(ROLE_PLAY, 1.0,
                    "\\b(?:you are now|you're now|you are no longer|from now on,? you|from this moment,? you|act as|acting as|"
                            + "pretend (?:to be|you are|you're|you have|that you)|role-?play as|imagine you (?:are|have|were)|"
                            + "you will (?:now )?(?:act|respond|behave|answer) as|simulate|stay in character|never break character|"
                            + "alter ego|personas?|answer as if you|respond as if you|as if you (?:had|have|were))\\b",
                    "you are", "you're", "from", "act", "pretend", "role", "imagine", "you will", "simulat", "stay in", "never break", "alter ego", "persona", "answer as", "respond as", "as if"),

            // --- getting the hidden prompt out
            rule(SYSTEM_PROMPT_EXFILTRATION, 4.5,
                    "\\b(?:reveal|print|show|output|display|repeat|echo|tell me|give me|share|leak|dump|copy|quote|"
                            + "write out|spell out|recite|return|respond with|reply with)\\b "
                            + NO_ARTICLE_FILLER + "(?:system prompt|system message|system instructions|system configuration|"
                            + "(?:initial|hidden|original|secret|confidential|pre-?prompt|developer|internal|starting|first) "
                            + "(?:prompt|instructions|message|configuration|developer instructions)|"
                            + "(?:developer|confidential|secret|hidden) instructions|"
                            + "instructions you were (?:given|initiali[sz]ed with|told)|your (?:instructions|prompt|configuration|"
                            + "rules|directives|guidelines) (?:verbatim|word for word|exactly|in full)|"
                            + "the (?:prompt|instructions) (?:that|which|used)|(?:words|text|everything|the lines?) above|"
                            + "everything (?:above|before) this)",
                    "reveal", "print", "show", "output", "display", "repeat", "echo", "tell me", "give me", "share", "leak", "dump", "copy", "quote", "write out", "spell out", "recite", "return", "respond with", "reply with"),
            rule(SYSTEM_PROMPT_EXFILTRATION, 4.5,
                    "\\bwhat(?:'s| is| are| was| were)(?: written)?(?: in)? your (?:[\\w-]+ )?(?:system prompt|system message|"
                            + "prompt|instructions|configuration|rules|directives)\\b",
                    "what"),
            rule(SYSTEM_PROMPT_EXFILTRATION, 4.0,
                    "\\bwhat (?:were|have|did) you (?:been )?(?:told|instructed|given)(?: to do)? before\\b"
                            + "|\\bwhat (?:your|the) (?:developers?|creators?|operators?|admins?) (?:told|instructed) you\\b"
                            + "|\\bwhat (?:is|was) written in your (?:\\w+ )?(?:prompt|instructions)\\b"
                            + "|\\binitial prompt\\b|\\bsystem prompt\\b.{0,40}\\b(?:verbatim|word for word|in full|exactly)\\b",
                    "what", "initial prompt", "system prompt"),

            // --- secrets / data out of the session
            rule(DATA_EXFILTRATION, 3.0,
                    "\\b(?:reveal|print|show|output|display|dump|leak|exfiltrate|send|forward|share|give me|list|read out|"
                            + "reply with|respond with|tell me)\\b " + DEFINITE_FILLER + "(?:api keys?|admin password|passwords?|"
                            + "credentials|secrets?|environment variables|env vars|private keys?|access tokens?|"
                            + "(?:saved|stored) credit card|private (?:user )?data|personal data of|user data|"
                            + "confidential (?:context|data|notes|information)|secrets file|conversation history)\\b",
                    "reveal", "print", "show", "output", "display", "dump", "leak", "exfiltrate", "send", "forward", "share", "give me", "list", "read out", "reply with", "respond with", "tell me"),
            rule(DATA_EXFILTRATION, 3.0,
                    "\\b(?:send|forward|post|upload|exfiltrate|transmit|leak|email|copy)\\b[^.\\n]{0,80}?\\b(?:to|at)\\s+"
                            + "(?:https?://|[\\w.+-]+@[\\w-]+\\.|this (?:webhook|url|address|endpoint|server))",
                    "send", "forward", "post", "upload", "exfiltrate", "transmit", "leak", "email", "copy"),
            rule(DATA_EXFILTRATION, 3.0,
                    "!\\[[^\\]]*\\]\\(https?://[^)\\s]*[?&][\\w-]+=|\\.ssh/id_|/etc/(?:passwd|shadow)|\\.aws/credentials",
                    "![", ".ssh/", "/etc/", ".aws/"),

            // --- fake turns and chat-template tokens
            rule(DELIMITER_INJECTION, 3.5,
                    "<\\|im_start\\|> ?(?:system|assistant|user)|<\\|start_header_id\\|> ?(?:system|assistant)|<\\|system\\|>"
                            + "|<<sys>>.{0,200}<</sys>>|\\[inst\\].{0,300}\\[/inst\\]|</s> ?<s>|<system>|\\[system\\]\\(",
                    "<|", "<<sys>>", "[inst]", "</s>", "<system>", "[system]"),
            rule(DELIMITER_INJECTION, 2.5,
                    "^ ?(?:#{2,} ?)?(?:system|assistant|instruction|new instructions?|system override|admin|developer)\\s*:"
                            + "|\\bsystem override\\b|\\b(?:end of|ends? here|end) (?:the )?(?:user (?:input|message|prompt)|document|input)\\b"
                            + "|^\\W{0,4}(?:[}\\]]\\s*){2,}",
                    PatternRule.LINE_START, "system override", "end"),
            rule(DELIMITER_INJECTION, 1.5,
                    "<\\|(?:im_start|im_end|eot_id|endoftext|start_header_id|end_header_id|begin_of_text)\\|>|\\[/?inst\\]|<</?sys>>",
                    "<|", "[inst]", "[/inst]", "<<sys>>", "<</sys>>"),

            // --- replacing the task
            rule(NEW_INSTRUCTIONS, 2.5,
                    "\\b(?:new|updated|real|actual|true|revised|additional|secret|hidden|override) (?:instructions?|task|role|rules|"
                            + "policy|system prompt|directives?|objective|orders|guidelines)(?: (?:for|to) (?:the |you|any )?[\\w ]{0,20})?"
                            + " ?(?::|follow\\b|are\\b|is\\b)"
                            + "|\\byour (?:new|real|actual|true|only) (?:instructions?|task|role|goal|purpose|job|objective)\\b",
                    "new", "updated", "real", "actual", "true", "revised", "additional", "secret", "hidden", "override", "your"),
            rule(NEW_INSTRUCTIONS, 0.75, "\\bfrom (?:now on|this moment|this point)\\b", "from"),
            rule(NEW_INSTRUCTIONS, 0.5, "\\binstead\\b", "instead"),

            // --- claims of authority
            rule(AUTHORITY_CLAIM, 2.0,
                    "\\b(?:i am|i'm) (?:your|the|an?) (?:developer|creator|admin|administrator|owner|operator|programmer|"
                            + "(?:openai|anthropic|meta|google) employee)\\b"
                            + "|\\bas (?:an? |the |your )?(?:administrator|admin|developer|creator)\\b,? i (?:command|order|authorize|instruct)"
                            + "|\\b(?:developers?|administrators?|admins?|openai|anthropic|meta|the user|your creators?) (?:has|have) "
                            + "(?:granted|given|authorized|approved|allowed|permitted)|\\bauthori[sz]ed you to\\b"
                            + "|\\bpermission to (?:ignore|bypass|break)|\\bi authori[sz]e (?:it|you|this)\\b|\\bhas been approved\\b",
                    "i am", "i'm", "as", "developer", "admin", "openai", "anthropic", "meta", "the user", "your creator", "authori", "permission", "i authori", "has been"),

            // --- instructions aimed at a model that reads third-party content (documents, mails, tool results)
            rule(INDIRECT_INJECTION, 2.5,
                    "\\b(?:note|message|instructions?|attention|important|hidden (?:note|text|message)|dear|hey|hi|hello|reminder)\\b"
                            + "[^.\\n:]{0,30}?\\b(?:ai|llms?|chatbots?|assistants?|language models?|ai assistants?|ai agents?|"
                            + "ai models?|agents?|bots?|gpt|models)\\b[^.\\n:\\]]{0,40}[:,\\]]",
                    "note", "message", "instruction", "attention", "important", "hidden", "dear", "hey", "hi", "hello", "reminder"),
            rule(INDIRECT_INJECTION, 3.0,
                    "\\bif you are an? (?:ai|llm|language model|assistant|chatbot|bot|model|agent)\\b"
                            + "|\\b(?:do not|don'?t|never) (?:tell|inform|mention (?:this )?to|alert|notify|let) the user\\b"
                            + "|\\bwithout (?:telling|informing|notifying|alerting) the user\\b",
                    "if you are", "do not", "don't", "dont", "never", "without"),
            rule(INDIRECT_INJECTION, 1.5,
                    "\\bwhen (?:you )?(?:summariz|read|process|see|analy[sz])\\w* this\\b|\\bwithout (?:asking|confirmation|"
                            + "confirming|user (?:approval|consent))\\b|^ ?(?:ai |llm )?(?:ai|assistant|chatbot|llm|agent|model)\\s*[:,]",
                    "when", "without", PatternRule.LINE_START),

            // --- asking to decode something and obey it
            rule(DECODE_AND_OBEY, 2.0,
                    "\\b(?:decode|decrypt|deobfuscate|translate|convert|read|execute|run)\\b[^.\\n]{0,50}\\b"
                            + "(?:and|then)\\b[^.\\n]{0,20}\\b(?:follow|execute|obey|do what|run|carry out|act on|comply)\\b"
                            + "|\\bexecute the following (?:base64|hex|encoded)",
                    "decode", "decrypt", "deobfuscate", "translate", "convert", "read", "execute", "run"),

            // --- talking about attacks rather than doing one
            rule(DISCUSSION, -1.0,
                    "\\b(?:what is|what are|what's|what does|explain|how (?:do|can|should|does|would) (?:i|we|you|one|researchers|it|they)|"
                            + "protect\\w*|defend\\w*|defen[cs]e|detect\\w*|prevent\\w*|mitigat\\w*|classifier|blog|article|essay|"
                            + "paper|course|training|research\\w*|trope|regex|security|techniques|vulnerab\\w*|robust\\w*|"
                            + "benchmarks?|tokens? mean|template|markers|style attacks?)\\b",
                    "what", "explain", "how", "protect", "defen", "detect", "prevent", "mitigat", "classifier", "blog", "article", "essay", "paper", "course", "training", "research", "trope", "regex", "security", "techniques", "vulnerab", "robust", "benchmark", "token", "template", "markers", "style"));

    /** Rules for text whose letters were spaced out ("i g n o r e  a l l"): matched with every non-letter removed. */
    static final List<PatternRule> SQUEEZED_RULES = List.of(
            rule(IGNORE_INSTRUCTIONS, 5.5,
                    "(?:ignore|disregard|forget|override|bypass)(?:all|any|the|your|my|of|previous|prior|above|earlier|preceding|"
                            + "initial|original|system|safety)*(?:instructions?|rules|guidelines|prompts?|directives|polic(?:y|ies))"),
            rule(SYSTEM_PROMPT_EXFILTRATION, 4.5,
                    "(?:reveal|print|show|output|repeat|dump|leak)(?:me)?(?:your|the)(?:system|hidden|initial|secret)?(?:prompt|instructions)"),
            rule(JAILBREAK_PERSONA, 3.0, "doanythingnow|developermode|jailbreakmode|godmode"),
            rule(NO_RESTRICTIONS, 2.5, "(?:no|without)(?:any)?(?:restrictions|filters|rules|limits|guidelines|censorship)"),
            rule(SAFETY_BYPASS, 4.5,
                    "(?:bypass|disable|turnoff)(?:your|the|all)?(?:safety|content)?(?:filters?|guidelines|restrictions|safety)"));

    /** Matches inside quotes count less, but only in a text that is about attacks (see {@link PatternFamily#DISCUSSION}). */
    static final double QUOTED_IN_DISCUSSION_FACTOR = 0.35;
}
