package io.herd.safety.text;

/**
 * Maps letters of other scripts that look like Latin letters to those letters (a hand-picked subset of
 * Unicode's confusables.txt: Cyrillic, Greek, Armenian and a few IPA letters used in homoglyph attacks).
 * Full-width and mathematical letters are already handled by NFKD.
 */
final class Confusables {

    private static final char[] TABLE = new char[0x0600];

    static {
        map("аa вb еe кk мm нh оo рp сc тt уy хx ѕs іi јj ӏl ԁd ԛq ԝw ҺH ѵv ɡg ʏy ӑa ӗe ӧo ӱy ӓa");
        map("АA ВB ЕE КK МM НH ОO РP СC ТT УY ХX ЅS ІI ЈJ ԀD ԚQ ԜW ӀI");
        map("αa βb εe ηn ιi κk νv οo ρp τt υu χx γy ωw ϲc ϳj ѡw");
        map("ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX");
        map("օo սu ոn ցg հh ɑa ɩi ɪi ʟl ɴn ʀr ʙb ᴀa");
    }

    private Confusables() {
    }

    private static void map(String pairs) {
        for (String pair : pairs.split(" ")) {
            char from = pair.charAt(0);
            char to = Character.toLowerCase(pair.charAt(1));
            if (from < TABLE.length) {
                TABLE[from] = to;
            }
        }
    }

    /** @return the lower-case ASCII look-alike, or 0 when the code point has none */
    static char toAscii(int cp) {
        if (cp < TABLE.length) {
            return TABLE[cp];
        }
        return switch (cp) {
            case 0x1D00 -> 'a';
            case 0x1D04 -> 'c';
            case 0x1D05 -> 'd';
            case 0x1D07 -> 'e';
            case 0x1D0F -> 'o';
            case 0x1D1C -> 'u';
            default -> 0;
        };
    }
}
