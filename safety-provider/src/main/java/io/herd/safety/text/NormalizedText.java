package io.herd.safety.text;

/**
 * @param original        the text as received
 * @param folded          lower-case, accent-free, confusable-folded, invisible characters removed, spaces collapsed
 * @param invisibleChars  zero-width / bidi / format characters removed
 * @param confusableChars letters from other scripts that were folded to ASCII look-alikes
 * @param otherLetters    letters outside Latin that had no look-alike (a message in Greek or Cyrillic proper)
 */
public record NormalizedText(String original, String folded, int invisibleChars, int confusableChars, int otherLetters) {

    /**
     * Look-alikes mixed into otherwise Latin words are a disguise; a text written in another script is not.
     */
    public boolean hasMixedScriptDisguise() {
        return confusableChars > 0 && confusableChars * 4 >= otherLetters;
    }
}
