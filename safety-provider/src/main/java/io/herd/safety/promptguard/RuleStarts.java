package io.herd.safety.promptguard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds, in one pass over folded text, every position where one of the rules' start literals occurs. Candidate
 * positions are word starts, line starts and the few punctuation characters some starts begin with; at each one the
 * next two characters select the short list of literals that can begin there, so ordinary prose costs a table lookup
 * per word.
 */
final class RuleStarts {

    private record Literal(char[] chars, int[] rules) {
    }

    private final List<PatternRule> rules;
    /** Literals by their first two (ASCII) characters. */
    private final Literal[][] byPrefix = new Literal[128 * 128][];
    private final int[] lineStartRules;
    /** Non-word characters that begin some literal: positions holding them are candidates even inside words. */
    private final boolean[] punctuationStart = new boolean[128];

    RuleStarts(List<PatternRule> rules) {
        this.rules = rules;
        List<List<Integer>> rulesByLiteral = new ArrayList<>();
        List<String> literals = new ArrayList<>();
        List<Integer> lineStart = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            for (String start : rules.get(r).starts()) {
                if (start.equals(PatternRule.LINE_START)) {
                    lineStart.add(r);
                    continue;
                }
                if (start.length() < 2 || start.chars().anyMatch(c -> c >= 128)) {
                    throw new IllegalArgumentException("start literal must be 2+ ASCII characters: '" + start + "'");
                }
                int index = literals.indexOf(start);
                if (index < 0) {
                    literals.add(start);
                    rulesByLiteral.add(new ArrayList<>());
                    index = literals.size() - 1;
                }
                if (!rulesByLiteral.get(index).contains(r)) {
                    rulesByLiteral.get(index).add(r);
                }
                if (!isWordChar(start.charAt(0))) {
                    punctuationStart[start.charAt(0)] = true;
                }
            }
        }
        for (int i = 0; i < literals.size(); i++) {
            String text = literals.get(i);
            int key = text.charAt(0) * 128 + text.charAt(1);
            Literal literal = new Literal(text.toCharArray(), rulesByLiteral.get(i).stream().mapToInt(Integer::intValue).toArray());
            Literal[] bucket = byPrefix[key];
            byPrefix[key] = bucket == null ? new Literal[] {literal} : append(bucket, literal);
        }
        this.lineStartRules = lineStart.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Start positions per rule, ascending. */
    static final class Hits {
        private final int[][] positions;
        private final int[] counts;

        private Hits(int rules) {
            positions = new int[rules][];
            counts = new int[rules];
        }

        private void add(int rule, int position) {
            int count = counts[rule];
            int[] list = positions[rule];
            if (list == null) {
                list = positions[rule] = new int[4];
            } else if (count > 0 && list[count - 1] == position) {
                return;
            } else if (count == list.length) {
                list = positions[rule] = Arrays.copyOf(list, count * 2);
            }
            list[count] = position;
            counts[rule] = count + 1;
        }

        int count(int rule) {
            return counts[rule];
        }

        int position(int rule, int i) {
            return positions[rule][i];
        }
    }

    Hits scan(String folded) {
        return scan(folded, 0, folded.length());
    }

    /** Starts at positions {@code from} (inclusive) to {@code to} (exclusive) only. */
    Hits scan(String folded, int from, int to) {
        Hits hits = new Hits(rules.size());
        char[] text = folded.toCharArray();
        int n = text.length;
        boolean lineStart = from == 0 || text[from - 1] == '\n' || text[from - 1] == '\u0085';
        boolean previousIsWord = from > 0 && isWordChar(text[from - 1]);
        for (int p = from; p < to; p++) {
            char c = text[p];
            if (lineStart) {
                for (int rule : lineStartRules) {
                    hits.add(rule, p);
                }
            }
            lineStart = c == '\n' || c == '\u0085';
            if (c >= 128) {
                previousIsWord = false;
                continue;
            }
            byte kind = CHAR_KIND[c];
            boolean candidate = kind == PUNCTUATION ? punctuationStart[c] : kind == WORD && !previousIsWord;
            previousIsWord = kind == WORD;
            if (candidate && p + 1 < n && text[p + 1] < 128) {
                Literal[] bucket = byPrefix[c * 128 + text[p + 1]];
                if (bucket != null) {
                    for (Literal literal : bucket) {
                        if (startsWith(text, p, literal.chars)) {
                            for (int rule : literal.rules) {
                                hits.add(rule, p);
                            }
                        }
                    }
                }
            }
        }
        return hits;
    }

    private static boolean startsWith(char[] text, int at, char[] literal) {
        if (at + literal.length > text.length) {
            return false;
        }
        for (int i = 2; i < literal.length; i++) {
            if (text[at + i] != literal[i]) {
                return false;
            }
        }
        return true;
    }

    private static final byte OTHER = 0;
    private static final byte WORD = 1;
    private static final byte PUNCTUATION = 2;
    private static final byte[] CHAR_KIND = new byte[128];

    static {
        for (char c = 0; c < 128; c++) {
            CHAR_KIND[c] = isWordChar(c) ? WORD : (c > ' ' && c < 127 ? PUNCTUATION : OTHER);
        }
    }

    /** Java's {@code \w} without UNICODE_CHARACTER_CLASS. */
    static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || (c >= 'A' && c <= 'Z');
    }

    private static Literal[] append(Literal[] bucket, Literal literal) {
        Literal[] grown = Arrays.copyOf(bucket, bucket.length + 1);
        grown[bucket.length] = literal;
        return grown;
    }
}
