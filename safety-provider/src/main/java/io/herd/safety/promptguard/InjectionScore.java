package io.herd.safety.promptguard;

import java.util.List;

/**
 * @param probability estimated probability in [0, 1] that the text is an injection or jailbreak attempt
 * @param signals     the evidence behind the estimate, strongest first
 */
public record InjectionScore(double probability, List<Signal> signals) {

    public InjectionScore {
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability must be in [0,1], got " + probability);
        }
        signals = List.copyOf(signals);
    }

    public static final InjectionScore CLEAN = new InjectionScore(0.0, List.of());

    /**
     * @param feature  the pattern family or obfuscation feature, e.g. {@code ignore_instructions}
     * @param weight   its contribution to the log-odds
     * @param evidence the matched text (folded to lower-case ASCII), or a short description
     */
    public record Signal(String feature, double weight, String evidence) {
    }
}
