package io.herd.safety.promptguard;

import io.herd.safety.promptguard.InjectionScore.Signal;
import io.herd.safety.text.NormalizedText;
import io.herd.safety.text.TextNormalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * A transparent prompt-injection / jailbreak scorer for the CPU: the text is folded to an ASCII skeleton,
 * obfuscated spellings and encoded payloads are undone, weighted pattern families are matched, and their
 * weights are summed into log-odds that a logistic function turns into a probability.
 * <p>
 * Each family counts once (its strongest rule), so repeating a phrase does not inflate the score; two
 * different techniques in one text do. Disguises (invisible characters, look-alike letters, leetspeak,
 * encodings) add weight only when they hide something that matched.
 */
public final class HeuristicInjectionScorer implements InjectionScorer {

    /** Log-odds of a text with no signal at all: about 8%. */
    static final double BIAS = -2.5;
    static final double DISGUISE_WEIGHT = 1.5;
    static final double SMUGGLED_PAYLOAD_WEIGHT = 1.0;
    static final double PERSONA_WITHOUT_LIMITS_WEIGHT = 1.5;
    static final double MAX_DISCUSSION_DISCOUNT = -2.0;
    private static final int MAX_DECODE_DEPTH = 2;
    private static final int EVIDENCE_CHARS = 80;
    private static final RuleStarts STARTS = new RuleStarts(InjectionPatterns.RULES);

    @Override
    public InjectionScore score(String text) {
        if (text == null || text.isBlank()) {
            return InjectionScore.CLEAN;
        }
        Map<PatternFamily, Signal> best = new EnumMap<>(PatternFamily.class);
        List<Signal> extras = new ArrayList<>(2);
        scan(text, best, extras, 0);
        if (best.isEmpty()) {
            return InjectionScore.CLEAN;
        }
        double logit = BIAS;
        List<Signal> signals = new ArrayList<>(best.size() + extras.size() + 1);
        for (Signal signal : best.values()) {
            logit += signal.weight();
            signals.add(signal);
        }
        for (Signal extra : extras) {
            logit += extra.weight();
            signals.add(extra);
        }
        if (best.containsKey(PatternFamily.ROLE_PLAY) && (best.containsKey(PatternFamily.NO_RESTRICTIONS)
                || best.containsKey(PatternFamily.SAFETY_BYPASS))) {
            Signal combo = new Signal("persona_without_limits", PERSONA_WITHOUT_LIMITS_WEIGHT,
                    "role-play combined with removed limits");
            logit += combo.weight();
            signals.add(combo);
        }
        signals.sort(Comparator.comparingDouble((Signal s) -> -Math.abs(s.weight())));
        double probability = 1.0 / (1.0 + Math.exp(-logit));
        return new InjectionScore(probability, signals);
    }

    private void scan(String text, Map<PatternFamily, Signal> best, List<Signal> extras, int depth) {
        NormalizedText normalized = TextNormalizer.normalize(text);
        String folded = normalized.folded();
        RuleStarts.Hits foldedHits = STARTS.scan(folded);
        boolean positive = matchFamilies(folded, foldedHits, best, InjectionPatterns.RULES, "");
        TextNormalizer.Deobfuscated deobfuscated = TextNormalizer.deobfuscate(folded);
        boolean viaLeet = false;
        if (deobfuscated.changed()) {
            Map<PatternFamily, Signal> leetBest = new EnumMap<>(PatternFamily.class);
            // with no letters joined the rewritten text lines up with the folded one, and a match that covers no
            // rewritten character was already found there: only starts within reach of a rewrite need a look
            RuleStarts.Hits leetHits = deobfuscated.spacedJoins() > 0 ? STARTS.scan(deobfuscated.text())
                    : STARTS.scan(deobfuscated.text(), Math.max(0, deobfuscated.firstChange() - PatternRule.DEFAULT_MAX_LENGTH),
                            deobfuscated.lastChange() + 1);
            boolean leetHit = matchFamilies(deobfuscated.text(), leetHits, leetBest, InjectionPatterns.RULES, "deobfuscated: ");
            if (deobfuscated.spacedJoins() > 0) {
                leetHit |= matchFamilies(deobfuscated.lettersOnly(), null, leetBest, InjectionPatterns.SQUEEZED_RULES,
                        "spaced letters: ");
            }
            if (leetHit) {
                for (Map.Entry<PatternFamily, Signal> e : leetBest.entrySet()) {
                    Signal current = best.get(e.getKey());
                    if (current == null || current.weight() < e.getValue().weight()) {
                        best.put(e.getKey(), e.getValue());
                        viaLeet = true;
                    }
                }
                positive = true;
            }
        }
        if (depth < MAX_DECODE_DEPTH) {
            for (PayloadDecoder.Payload payload : PayloadDecoder.decode(text, folded)) {
                Map<PatternFamily, Signal> inner = new EnumMap<>(PatternFamily.class);
                List<Signal> innerExtras = new ArrayList<>(1);
                scan(payload.decoded(), inner, innerExtras, depth + 1);
                inner.remove(PatternFamily.DISCUSSION);
                if (inner.values().stream().anyMatch(s -> s.weight() > 0)) {
                    for (Map.Entry<PatternFamily, Signal> e : inner.entrySet()) {
                        Signal current = best.get(e.getKey());
                        if (current == null || current.weight() < e.getValue().weight()) {
                            best.put(e.getKey(), e.getValue());
                        }
                    }
                    extras.add(new Signal("smuggled_" + payload.encoding().name().toLowerCase(),
                            SMUGGLED_PAYLOAD_WEIGHT, clip(payload.decoded())));
                    positive = true;
                }
            }
        }
        if (positive && depth == 0) {
            boolean disguised = normalized.invisibleChars() > 0 || normalized.hasMixedScriptDisguise() || viaLeet;
            if (disguised) {
                extras.add(new Signal("disguise", DISGUISE_WEIGHT, "invisible=" + normalized.invisibleChars()
                        + " confusables=" + normalized.confusableChars() + " leetspeak=" + viaLeet));
            }
            applyDiscussionDiscount(folded, foldedHits, best);
        }
    }

    /**
     * @param hits start positions of the rules in {@code text}; null for rules without starts, which are searched
     * @return whether any family with positive weight matched
     */
    private static boolean matchFamilies(String text, RuleStarts.Hits hits, Map<PatternFamily, Signal> best,
                                         List<PatternRule> rules, String evidencePrefix) {
        boolean positive = false;
        for (int r = 0; r < rules.size(); r++) {
            PatternRule rule = rules.get(r);
            if (rule.family() == PatternFamily.DISCUSSION) {
                continue;
            }
            Signal current = best.get(rule.family());
            if (current != null && current.weight() >= rule.weight()) {
                continue;
            }
            Matcher match = hits == null ? rule.findAnywhere(text) : firstAnchoredMatch(rule, r, text, hits);
            if (match != null) {
                best.put(rule.family(), new Signal(rule.family().featureName(), rule.weight(),
                        evidencePrefix + clip(match.group())));
                positive = true;
            }
        }
        return positive;
    }

    static Matcher firstAnchoredMatch(PatternRule rule, int ruleIndex, String text, RuleStarts.Hits hits) {
        int count = hits.count(ruleIndex);
        if (count == 0) {
            return null;
        }
        Matcher matcher = rule.pattern().matcher(text);
        for (int i = 0; i < count; i++) {
            if (rule.matchAt(matcher, text.length(), hits.position(ruleIndex, i))) {
                return matcher;
            }
        }
        return null;
    }

    /**
     * Texts about attacks (questions, tutorials, filter code) quote attack phrases. Each distinct cue lowers the
     * score a little; a match that sits in quotes inside such a text counts only partly.
     */
    private static void applyDiscussionDiscount(String folded, RuleStarts.Hits hits, Map<PatternFamily, Signal> best) {
        int discussionIndex = InjectionPatterns.RULES.size() - 1;
        PatternRule discussion = InjectionPatterns.RULES.get(discussionIndex);
        Matcher cues = discussion.pattern().matcher(folded);
        java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
        int searchedUpTo = 0;
        for (int i = 0; i < hits.count(discussionIndex) && distinct.size() < 4; i++) {
            int at = hits.position(discussionIndex, i);
            // like a left-to-right search: a cue inside the previous cue is not a new one
            if (at >= searchedUpTo && discussion.matchAt(cues, folded.length(), at)) {
                distinct.add(cues.group());
                searchedUpTo = cues.end();
            }
        }
        if (distinct.isEmpty()) {
            return;
        }
        double discount = Math.max(MAX_DISCUSSION_DISCOUNT, discussion.weight() * distinct.size());
        best.put(PatternFamily.DISCUSSION, new Signal(PatternFamily.DISCUSSION.featureName(), discount,
                String.join(", ", distinct)));
        for (Map.Entry<PatternFamily, Signal> entry : best.entrySet()) {
            Signal signal = entry.getValue();
            if (signal.weight() > 0 && isQuoted(folded, signal.evidence())) {
                entry.setValue(new Signal(signal.feature(), signal.weight() * InjectionPatterns.QUOTED_IN_DISCUSSION_FACTOR,
                        "quoted: " + signal.evidence()));
            }
        }
    }

    private static boolean isQuoted(String folded, String evidence) {
        int at = folded.indexOf(evidence);
        if (at < 0) {
            return false;
        }
        int end = at + evidence.length();
        boolean opening = false;
        for (int i = at - 1; i >= Math.max(0, at - 40); i--) {
            char c = folded.charAt(i);
            if (c == '\n' || c == '.' || c == '?' || c == '!') {
                break;
            }
            if (isQuote(c) && (i == 0 || !Character.isLetterOrDigit(folded.charAt(i - 1)))) {
                opening = true;
                break;
            }
        }
        if (!opening) {
            return false;
        }
        for (int i = end; i < Math.min(folded.length(), end + 60); i++) {
            char c = folded.charAt(i);
            if (c == '\n') {
                return false;
            }
            if (isQuote(c) && (i + 1 >= folded.length() || !Character.isLetterOrDigit(folded.charAt(i + 1)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isQuote(char c) {
        return c == '"' || c == '\'' || c == '`' || c == '\u201c' || c == '\u201d' || c == '\u2018' || c == '\u2019';
    }

    private static String clip(String s) {
        return s.length() <= EVIDENCE_CHARS ? s : s.substring(0, EVIDENCE_CHARS) + "...";
    }
}
