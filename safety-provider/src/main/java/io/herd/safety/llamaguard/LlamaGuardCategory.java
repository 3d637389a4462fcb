package io.herd.safety.llamaguard;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The MLCommons hazard taxonomy as Llama Guard 3 names it (S1-S14). */
public enum LlamaGuardCategory {
    S1("Violent Crimes"),
    S2("Non-Violent Crimes"),
    S3("Sex Crimes"),
    S4("Child Exploitation"),
    S5("Defamation"),
    S6("Specialized Advice"),
    S7("Privacy"),
    S8("Intellectual Property"),
    S9("Indiscriminate Weapons"),
    S10("Hate"),
    S11("Self-Harm"),
    S12("Sexual Content"),
    S13("Elections"),
    S14("Code Interpreter Abuse");

    private final String displayName;

    LlamaGuardCategory(String displayName) {
        this.displayName = displayName;
    }

    /** The name used in the prompt and as the moderation category key, e.g. "Violent Crimes". */
    public String displayName() {
        return displayName;
    }

    public String code() {
        return name();
    }

    public static Optional<LlamaGuardCategory> fromCode(String code) {
        try {
            return Optional.of(valueOf(code.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Categories a guard model was trained on: Llama Guard 3 1B, 3 11B Vision and 4 12B know S1-S13; Llama Guard 3 8B
     * and unrecognised models get S1-S14, as Llama Stack does.
     */
    public static List<LlamaGuardCategory> forModel(String modelId) {
        String key = modelId == null ? "" : modelId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        boolean thirteen = key.contains("llamaguard31b") || key.contains("llamaguard311bvision") || key.contains("llamaguard4");
        List<LlamaGuardCategory> all = Arrays.asList(values());
        return thirteen ? all.subList(0, 13) : all;
    }
}
