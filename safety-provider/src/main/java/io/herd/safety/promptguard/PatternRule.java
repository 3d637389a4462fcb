package io.herd.safety.promptguard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One regular expression of a family, run on folded (lower-case ASCII) text. The regex only runs when one of
 * the trigger substrings occurs, which keeps a clean 4 KB message to a handful of {@code indexOf} scans.
 */
record PatternRule(PatternFamily family, double weight, Pattern pattern, String[] triggers) {

    static PatternRule rule(PatternFamily family, double weight, String regex, String... triggers) {
        return new PatternRule(family, weight, Pattern.compile(regex, Pattern.MULTILINE), triggers);
    }

    /** @return the first match, or null */
    Matcher find(String folded) {
        boolean triggered = triggers.length == 0;
        for (String trigger : triggers) {
            if (folded.contains(trigger)) {
                triggered = true;
                break;
            }
        }
        if (!triggered) {
            return null;
        }
        Matcher matcher = pattern.matcher(folded);
        return matcher.find() ? matcher : null;
    }
}
