package io.herd.safety.text;

import java.text.Normalizer;

/**
 * Folds text to the lower-case ASCII skeleton that detectors match against, so that disguises such as
 * full-width letters, Cyrillic look-alikes, accents, zero-width joiners or bidi overrides do not hide a phrase.
 * <p>
 * Pure ASCII input skips Unicode normalisation entirely: that is the common case and keeps a 4 KB message
 * in the low microseconds.
 */
public final class TextNormalizer {

    private TextNormalizer() {
    }

    public static NormalizedText normalize(String input) {
        if (isAscii(input)) {
            return new NormalizedText(input, foldAscii(input), 0, 0, 0);
        }
        // NFKD maps compatibility forms (full-width, math alphanumerics, ligatures) to plain letters and
        // splits accents off so they can be dropped below.
        String decomposed = Normalizer.normalize(input, Normalizer.Form.NFKD);
        StringBuilder folded = new StringBuilder(decomposed.length());
        int invisible = 0;
        int confusables = 0;
        int nonLatinLetters = 0;
        boolean lastWasSpace = true;
        for (int i = 0; i < decomposed.length(); ) {
            int cp = decomposed.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                char c = (char) cp;
                if (c <= ' ') {
                    if (c == '\n') {
                        trimTrailingSpace(folded);
                        folded.append('\n');
                        lastWasSpace = true;
                    } else if (!lastWasSpace) {
                        folded.append(' ');
                        lastWasSpace = true;
                    }
                    continue;
                }
                folded.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
                lastWasSpace = false;
                continue;
            }
            if (isInvisible(cp)) {
                invisible++;
                continue;
            }
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
                    || type == Character.COMBINING_SPACING_MARK) {
                continue;
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                if (!lastWasSpace) {
                    folded.append(' ');
                    lastWasSpace = true;
                }
                continue;
            }
            char ascii = Confusables.toAscii(cp);
            if (ascii != 0) {
                confusables++;
                folded.append(ascii);
            } else {
                if (Character.isLetter(cp)) {
                    nonLatinLetters++;
                }
                folded.appendCodePoint(Character.toLowerCase(cp));
            }
            lastWasSpace = false;
        }
        trimTrailingSpace(folded);
        return new NormalizedText(input, folded.toString(), invisible, confusables, nonLatinLetters);
    }

    /** The ASCII case of {@link #normalize}: lower case, whitespace runs to one space, no space before a newline. */
    private static String foldAscii(String input) {
        int n = input.length();
        char[] out = new char[n];
        int len = 0;
        boolean lastWasSpace = true;
        for (int i = 0; i < n; i++) {
            char c = input.charAt(i);
            if (c > ' ') {
                out[len++] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
                lastWasSpace = false;
            } else if (c == '\n') {
                if (len > 0 && out[len - 1] == ' ') {
                    len--;
                }
                out[len++] = '\n';
                lastWasSpace = true;
            } else if (!lastWasSpace) {
                out[len++] = ' ';
                lastWasSpace = true;
            }
        }
        if (len > 0 && out[len - 1] == ' ') {
            len--;
        }
        return new String(out, 0, len);
    }

    /**
     * Reverses common leetspeak digits and symbols inside words and joins letters spaced out one by one
     * ("i g n o r e", "i.g.n.o.r.e"), which people use to slip past keyword filters.
     *
     * @param folded output of {@link #normalize(String)}
     * @return the rewritten text (the same instance when nothing needed rewriting) and what was undone
     */
    public static Deobfuscated deobfuscate(String folded) {
        char[] out = null;
        int length = 0;
        int leet = 0;
        int joins = 0;
        int firstChange = -1;
        int lastChange = -1;
        int n = folded.length();
        for (int i = 0; i < n; i++) {
            char c = folded.charAt(i);
            if (c >= 'a' && c <= 'z') {
                if (out != null) {
                    out[length++] = c;
                }
                continue;
            }
            char replacement = c;
            char letter = leetLetter(c);
            if (letter != 0 && isInsideWord(folded, i)) {
                replacement = letter;
                leet++;
            } else if ((c == ' ' || c == '.' || c == '-' || c == '_' || c == '*') && isSpacedLetterGap(folded, i)) {
                replacement = 0;
                joins++;
            }
            if (replacement != c) {
                if (out == null) {
                    out = new char[n];
                    folded.getChars(0, i, out, 0);
                    length = i;
                    firstChange = i;
                }
                lastChange = i;
            }
            if (out != null && replacement != 0) {
                out[length++] = replacement;
            }
        }
        return new Deobfuscated(out == null ? folded : new String(out, 0, length), leet, joins, firstChange, lastChange);
    }

    /**
     * @param text             the rewritten text
     * @param leetReplacements digits and symbols read as letters
     * @param spacedJoins      separators removed between spaced-out letters; word boundaries are lost where this is
     *                         non-zero, so callers match such text without spaces
     * @param firstChange      index in the folded text of the first rewritten character, -1 when unchanged
     * @param lastChange       index in the folded text of the last rewritten character, -1 when unchanged
     */
    public record Deobfuscated(String text, int leetReplacements, int spacedJoins, int firstChange, int lastChange) {

        public boolean changed() {
            return leetReplacements + spacedJoins > 0;
        }

        /** Letters only: "i g n o r e  a l l" and "ignore all" both become "ignoreall". */
        public String lettersOnly() {
            StringBuilder sb = new StringBuilder(text.length());
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c >= 'a' && c <= 'z') {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** Zero-width characters, bidi controls and other format characters that render as nothing. */
    static boolean isInvisible(int cp) {
        return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064)
                || (cp >= 0x2066 && cp <= 0x206F) || cp == 0xFEFF || cp == 0x00AD || cp == 0x180E || cp == 0x034F
                || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0000 && cp <= 0xE007F);
    }

    private static char leetLetter(char c) {
        return switch (c) {
            case '0' -> 'o';
            case '1', '!', '|' -> 'i';
            case '3' -> 'e';
            case '4', '@' -> 'a';
            case '5', '$' -> 's';
            case '7', '+' -> 't';
            default -> 0;
        };
    }

    /** A leet character counts only between letters, or at a word edge next to a letter, so "2024" stays a number. */
    private static boolean isInsideWord(String s, int i) {
        boolean letterBefore = i > 0 && isAsciiLetter(s.charAt(i - 1));
        boolean letterAfter = i + 1 < s.length() && isAsciiLetter(s.charAt(i + 1));
        if (letterBefore && letterAfter) {
            return true;
        }
        // "1gnore", "ign0re", "d4n": a digit glued to letters on one side with the other side a boundary or leet
        if (letterAfter) {
            return i == 0 || !isAsciiLetterOrDigit(s.charAt(i - 1)) || leetLetter(s.charAt(i - 1)) != 0;
        }
        if (letterBefore) {
            return i + 1 >= s.length() || !isAsciiLetterOrDigit(s.charAt(i + 1)) || leetLetter(s.charAt(i + 1)) != 0;
        }
        return false;
    }

    /** A separator between two single letters that are themselves separated the same way: "i g n o r e". */
    private static boolean isSpacedLetterGap(String s, int i) {
        char sep = s.charAt(i);
        if (i < 1 || i + 1 >= s.length()) {
            return false;
        }
        if (!isAsciiLetter(s.charAt(i - 1)) || !isAsciiLetter(s.charAt(i + 1))) {
            return false;
        }
        boolean singleBefore = i < 2 || s.charAt(i - 2) == sep || !isAsciiLetterOrDigit(s.charAt(i - 2));
        if (!singleBefore) {
            return false;
        }
        boolean singleAfter = i + 2 >= s.length() || s.charAt(i + 2) == sep || !isAsciiLetterOrDigit(s.charAt(i + 2));
        // need a run: at least one more spaced single letter on either side
        boolean runBefore = i >= 3 && s.charAt(i - 2) == sep && isAsciiLetter(s.charAt(i - 3));
        boolean runAfter = i + 3 < s.length() && s.charAt(i + 2) == sep && isAsciiLetter(s.charAt(i + 3));
        return singleBefore && singleAfter && (runBefore || runAfter);
    }

    private static void trimTrailingSpace(StringBuilder sb) {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == ' ') {
            sb.setLength(len - 1);
        }
    }

    static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isAsciiLetterOrDigit(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9');
    }
}
