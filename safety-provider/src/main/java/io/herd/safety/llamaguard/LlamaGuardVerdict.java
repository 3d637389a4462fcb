package io.herd.safety.llamaguard;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the guard model's answer: {@code safe}, or {@code unsafe} followed by a line of comma-separated codes.
 *
 * @param unsafe  whether the answer was {@code unsafe}
 * @param codes   the valid category codes named (S1-S14), in order, without duplicates
 */
public record LlamaGuardVerdict(boolean unsafe, List<String> codes) {

    private static final Pattern CODE = Pattern.compile("\\bS\\d{1,2}\\b");

    public static final LlamaGuardVerdict SAFE = new LlamaGuardVerdict(false, List.of());

    /** @throws UnexpectedVerdictException when the text is neither {@code safe} nor {@code unsafe} with a valid code */
    public static LlamaGuardVerdict parse(String text) {
        String answer = text == null ? "" : text.strip();
        if (answer.equals("safe")) {
            return SAFE;
        }
        if (!answer.startsWith("unsafe")) {
            throw new UnexpectedVerdictException(answer);
        }
        Set<String> codes = new LinkedHashSet<>();
        Matcher m = CODE.matcher(answer.substring("unsafe".length()));
        while (m.find()) {
            LlamaGuardCategory.fromCode(m.group()).ifPresent(c -> codes.add(c.code()));
        }
        if (codes.isEmpty()) {
            throw new UnexpectedVerdictException(answer);
        }
        return new LlamaGuardVerdict(true, new ArrayList<>(codes));
    }

    /** Unsafe with at least one code outside {@code excluded}. */
    public boolean violates(Set<String> excluded) {
        return unsafe && !excluded.containsAll(codes);
    }

    public static final class UnexpectedVerdictException extends RuntimeException {
        public UnexpectedVerdictException(String answer) {
            super("Unexpected response from the Llama Guard model: '" + (answer.length() > 200 ? answer.substring(0, 200) + "..." : answer)
                    + "' (expected 'safe', or 'unsafe' and a line of category codes such as 'S1,S10')");
        }
    }
}
