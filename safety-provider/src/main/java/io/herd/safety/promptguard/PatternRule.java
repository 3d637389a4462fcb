package io.herd.safety.promptguard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One regular expression of a family, run on folded (lower-case ASCII) text.
 * <p>
 * {@code starts} are the literal texts a match can begin with; a start beginning with a word character only counts at
 * a word start (the patterns open with {@code \b}), and {@value #LINE_START} stands for the start of a line. The
 * scorer finds all starts in one pass ({@link RuleStarts}) and tries the pattern anchored at those positions only,
 * so a clean 4 KB message costs one scan plus a few failed anchored matches instead of a regex search per rule.
 * A rule without starts (the squeezed rules, for text with its word boundaries removed) is searched in the whole text.
 *
 * @param maxLength longest text a match can span; the anchored match never looks further
 */
record PatternRule(PatternFamily family, double weight, Pattern pattern, String[] starts, int maxLength) {

    static final String LINE_START = "^";
    static final int DEFAULT_MAX_LENGTH = 400;

    static PatternRule rule(PatternFamily family, double weight, String regex, String... starts) {
        return new PatternRule(family, weight, Pattern.compile(regex, Pattern.MULTILINE), starts, DEFAULT_MAX_LENGTH);
    }

    boolean anchored() {
        return starts.length > 0;
    }

    /** @return a match beginning exactly at {@code at}, or null */
    Matcher matchAt(String folded, int at) {
        Matcher matcher = pattern.matcher(folded);
        return matchAt(matcher, folded.length(), at) ? matcher : null;
    }

    boolean matchAt(Matcher matcher, int length, int at) {
        matcher.region(at, Math.min(length, at + maxLength));
        matcher.useTransparentBounds(true);
        matcher.useAnchoringBounds(false);
        return matcher.lookingAt();
    }

    /** @return the first match anywhere in the text, or null (the reference behaviour the anchored search must equal) */
    Matcher findAnywhere(String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? matcher : null;
    }
}
