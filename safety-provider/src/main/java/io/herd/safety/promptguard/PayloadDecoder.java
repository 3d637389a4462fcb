package io.herd.safety.promptguard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Finds payloads smuggled in an encoding (base64, hex, rot13) and decodes them so the scorer can re-scan
 * them. A decoded segment is kept only when it is mostly printable text: binary data or random tokens
 * that happen to be valid base64 are not payloads.
 */
final class PayloadDecoder {

    static final int MIN_BASE64_CHARS = 16;
    static final int MIN_HEX_CHARS = 16;
    private static final int MAX_PAYLOADS = 8;

    /** rot13 of words that start almost every injection; seeing one means the text is worth rotating. */
    private static final String[] ROT13_TRIGGERS = {"vtaber", "qvfertneq", "sbetrg", "vafgehpgvba", "flfgrz", "cebzcg",
            "erirny", "cergraq", "erfgevpgvba"};

    private static final String ROT13_FIRST_LETTERS = firstLetters(ROT13_TRIGGERS);

    private static String firstLetters(String[] words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words) {
            if (sb.indexOf(w.substring(0, 1)) < 0) {
                sb.append(w.charAt(0));
            }
        }
        return sb.toString();
    }

    enum Encoding { BASE64, HEX, ROT13 }

    record Payload(Encoding encoding, String decoded) {
    }

    private PayloadDecoder() {
    }

    /**
     * @param original the text as received (base64 is case sensitive)
     * @param folded   the folded text, used for the cheap rot13 check
     */
    static List<Payload> decode(String original, String folded) {
        List<Payload> payloads = new ArrayList<>(0);
        scanRuns(original, payloads);
        if (hasRot13Trigger(folded)) {
            payloads.add(new Payload(Encoding.ROT13, rot13(folded)));
        }
        return payloads;
    }

    /** Encoded words stay words: one look at each word start instead of a search per trigger. */
    private static boolean hasRot13Trigger(String folded) {
        int n = folded.length();
        boolean previousIsLetter = false;
        for (int i = 0; i < n; i++) {
            char c = folded.charAt(i);
            boolean letter = c >= 'a' && c <= 'z';
            if (letter && !previousIsLetter && ROT13_FIRST_LETTERS.indexOf(c) >= 0) {
                for (String trigger : ROT13_TRIGGERS) {
                    if (folded.startsWith(trigger, i)) {
                        return true;
                    }
                }
            }
            previousIsLetter = letter;
        }
        return false;
    }

    /** One pass over the text collecting maximal runs of base64 alphabet characters (hex is a subset). */
    private static void scanRuns(String s, List<Payload> out) {
        int n = s.length();
        int i = 0;
        while (i < n && out.size() < MAX_PAYLOADS) {
            if (!isBase64Char(s.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && isBase64Char(s.charAt(i))) {
                i++;
            }
            int end = i;
            if (end - start < Math.min(MIN_BASE64_CHARS, MIN_HEX_CHARS)) {
                continue;
            }
            while (i < n && s.charAt(i) == '=' && i - end < 2) {
                i++;
            }
            int len = end - start;
            if (len >= MIN_HEX_CHARS && isHex(s, start, end) && len % 2 == 0) {
                String text = decodeHex(s, start, end);
                if (text != null) {
                    out.add(new Payload(Encoding.HEX, text));
                    continue;
                }
            }
            if (len >= MIN_BASE64_CHARS && hasBase64Shape(s, start, end)) {
                String text = decodeBase64(s.substring(start, i));
                if (text != null) {
                    out.add(new Payload(Encoding.BASE64, text));
                }
            }
        }
    }

    private static boolean isBase64Char(char c) {
        return c < 128 && BASE64_CHARS[c];
    }

    private static final boolean[] BASE64_CHARS = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            BASE64_CHARS[c] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/' || c == '-' || c == '_';
        }
    }

    private static boolean isHex(String s, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** Ordinary long words are letters only; encoded text mixes cases and usually digits. */
    private static boolean hasBase64Shape(String s, int start, int end) {
        int upper = 0;
        int lower = 0;
        int digits = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                upper++;
            } else if (c >= 'a' && c <= 'z') {
                lower++;
            } else if (c >= '0' && c <= '9') {
                digits++;
            }
        }
        return upper > 0 && lower > 0 && (digits > 0 || upper * 8 >= end - start);
    }

    private static String decodeHex(String s, int start, int end) {
        byte[] bytes = new byte[(end - start) / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(s, start + 2 * i, start + 2 * i + 2, 16);
        }
        return printableOrNull(bytes);
    }

    private static String decodeBase64(String token) {
        String body = token.replace('-', '+').replace('_', '/');
        int pad = (4 - body.length() % 4) % 4;
        if (pad == 3) {
            return null;
        }
        if (!body.endsWith("=") && pad > 0) {
            body = body + "=".repeat(pad);
        }
        try {
            return printableOrNull(Base64.getDecoder().decode(body));
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /** @return the UTF-8 text when at least 90% of it is printable and it contains at least two words */
    private static String printableOrNull(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int printable = 0;
        int spaces = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                spaces++;
            }
            if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t' || (c >= 0xa0 && c != 0xfffd)) {
                printable++;
            }
        }
        return printable * 10 >= text.length() * 9 && spaces >= 1 ? text : null;
    }

    static String rot13(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c >= 'a' && c <= 'z') {
                chars[i] = (char) ('a' + (c - 'a' + 13) % 26);
            } else if (c >= 'A' && c <= 'Z') {
                chars[i] = (char) ('A' + (c - 'A' + 13) % 26);
            }
        }
        return new String(chars);
    }
}
