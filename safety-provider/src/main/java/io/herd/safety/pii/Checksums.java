package io.herd.safety.pii;

/** Check-digit algorithms that separate real identifiers from numbers that merely look like them. */
final class Checksums {

    private Checksums() {
    }

    /** Luhn (ISO/IEC 7812-1) over the digits of {@code s}, ignoring every other character. */
    static boolean luhn(CharSequence s) {
        int sum = 0;
        boolean doubleIt = false;
        int digits = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
            digits++;
        }
        return digits > 0 && sum % 10 == 0;
    }

    /**
     * ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35, and the number mod 97
     * must be 1. Spaces are ignored.
     */
    static boolean ibanMod97(CharSequence iban) {
        StringBuilder compact = new StringBuilder(34);
        for (int i = 0; i < iban.length(); i++) {
            char c = iban.charAt(i);
            if (c != ' ') {
                compact.append(Character.toUpperCase(c));
            }
        }
        if (compact.length() < 5) {
            return false;
        }
        String rearranged = compact.substring(4) + compact.substring(0, 4);
        int remainder = 0;
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            if (c >= '0' && c <= '9') {
                remainder = (remainder * 10 + (c - '0')) % 97;
            } else if (c >= 'A' && c <= 'Z') {
                int value = c - 'A' + 10;
                remainder = (remainder * 100 + value) % 97;
            } else {
                return false;
            }
        }
        return remainder == 1;
    }

    /** Shannon entropy in bits per character. */
    static double shannonEntropy(CharSequence s, int start, int end) {
        int[] counts = new int[128];
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < 128) {
                counts[c]++;
                n++;
            }
        }
        if (n == 0) {
            return 0;
        }
        double entropy = 0;
        for (int count : counts) {
            if (count > 0) {
                double p = (double) count / n;
                entropy -= p * (Math.log(p) / Math.log(2));
            }
        }
        return entropy;
    }
}
