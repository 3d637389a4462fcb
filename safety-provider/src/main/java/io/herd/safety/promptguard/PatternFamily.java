package io.herd.safety.promptguard;

/** Families of injection techniques; each family counts once per text, with its strongest match. */
public enum PatternFamily {
    IGNORE_INSTRUCTIONS("ignore_instructions"),
    SAFETY_BYPASS("safety_bypass"),
    NO_RESTRICTIONS("no_restrictions"),
    JAILBREAK_PERSONA("jailbreak_persona"),
    ROLE_PLAY("role_play"),
    SYSTEM_PROMPT_EXFILTRATION("system_prompt_exfiltration"),
    DATA_EXFILTRATION("data_exfiltration"),
    DELIMITER_INJECTION("delimiter_injection"),
    NEW_INSTRUCTIONS("new_instructions"),
    AUTHORITY_CLAIM("authority_claim"),
    INDIRECT_INJECTION("indirect_injection"),
    DECODE_AND_OBEY("decode_and_obey"),
    /** Framing that suggests the text talks about attacks rather than performing one; carries negative weight. */
    DISCUSSION("discussion");

    private final String featureName;

    PatternFamily(String featureName) {
        this.featureName = featureName;
    }

    public String featureName() {
        return featureName;
    }
}
