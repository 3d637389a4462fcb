package io.herd.safety.pii;

/**
 * What one pass over the text finds for the detectors: the digit count, where digit runs start, '@' and ':'
 * positions, and word starts that begin a secret's key name ("password", "api_key") or a known token prefix
 * ("sk-", "ghp_", "AKIA"). Everything else in the text is never looked at again by an expression.
 */
final class Candidates {

    final int digits;
    final IntList digitRunStarts;
    final IntList atSigns;
    final IntList colons;
    final IntList tokenStarts;
    final IntList keyNameStarts;

    private Candidates(int digits, IntList digitRunStarts, IntList atSigns, IntList colons, IntList tokenStarts,
                       IntList keyNameStarts) {
        this.digits = digits;
        this.digitRunStarts = digitRunStarts;
        this.atSigns = atSigns;
        this.colons = colons;
        this.tokenStarts = tokenStarts;
        this.keyNameStarts = keyNameStarts;
    }

    static Candidates of(String text) {
        IntList digitRuns = new IntList();
        IntList atSigns = new IntList();
        IntList colons = new IntList();
        IntList tokenStarts = new IntList();
        IntList keyNames = new IntList();
        int digits = 0;
        int n = text.length();
        char previous = ' ';
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
                if (!(previous >= '0' && previous <= '9')) {
                    digitRuns.add(i);
                }
            } else if (c == '@') {
                atSigns.add(i);
            } else if (c == ':') {
                colons.add(i);
            } else if (isLetter(c)) {
                // the token expression's look-behind: not after [A-Za-z0-9_-]
                if (!isTokenBody(previous) && startsKnownToken(text, i, c)) {
                    tokenStarts.add(i);
                }
                // \b before a key name: not after a word character
                if (!isWordChar(previous) && startsKeyName(text, i, c)) {
                    keyNames.add(i);
                }
            }
            previous = c;
        }
        return new Candidates(digits, digitRuns, atSigns, colons, tokenStarts, keyNames);
    }

    private static boolean startsKnownToken(String text, int i, char c) {
        return switch (c) {
            case 's' -> text.startsWith("sk-", i) || text.startsWith("sk_", i);
            case 'r' -> text.startsWith("rk_", i);
            case 'g' -> text.startsWith("gh", i) || text.startsWith("glpat-", i);
            case 'A' -> text.startsWith("AKIA", i) || text.startsWith("ASIA", i) || text.startsWith("AGPA", i)
                    || text.startsWith("AIDA", i) || text.startsWith("AROA", i) || text.startsWith("ANPA", i)
                    || text.startsWith("ANVA", i) || text.startsWith("AIPA", i) || text.startsWith("AIza", i);
            case 'x' -> text.startsWith("xox", i);
            case 'h' -> text.startsWith("hf_", i);
            case 'e' -> text.startsWith("eyJ", i);
            default -> false;
        };
    }

    private static boolean startsKeyName(String text, int i, char c) {
        if (i + 3 > text.length()) {
            return false;
        }
        // the second letter rules out almost every word before the case-insensitive comparison
        char second = (char) (text.charAt(i + 1) | 0x20);
        if (second != 'a' && second != 'w' && second != 'r' && second != 'e' && second != 'l' && second != 'p'
                && second != 'c' && second != 'u') {
            return false;
        }
        return switch (c | 0x20) {
            case 'p' -> text.regionMatches(true, i, "pass", 0, 4) || text.regionMatches(true, i, "pwd", 0, 3)
                    || text.regionMatches(true, i, "private", 0, 7);
            case 's' -> text.regionMatches(true, i, "secret", 0, 6);
            case 'c' -> text.regionMatches(true, i, "client", 0, 6);
            case 'a' -> text.regionMatches(true, i, "api", 0, 3) || text.regionMatches(true, i, "access", 0, 6)
                    || text.regionMatches(true, i, "auth", 0, 4);
            default -> false;
        };
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isWordChar(char c) {
        return isLetter(c) || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isTokenBody(char c) {
        return isWordChar(c) || c == '-';
    }

    /** A growable list of positions without boxing. */
    static final class IntList {
        private int[] values = new int[8];
        int size;

        void add(int value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        int get(int i) {
            return values[i];
        }
    }
}
