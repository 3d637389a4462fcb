package io.herd.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible byte to Unicode mapping ({@code bytes_to_unicode} in OpenAI's encoder.py),
 * with which byte-level BPE vocabularies store arbitrary bytes as printable strings: printable
 * Latin-1 bytes stand for themselves, the other 68 become U+0100 upwards, in byte order.
 */
final class Gpt2ByteMapping {

    private static final char[] CHAR_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_CHAR = new int[0x200];

    static {
        Arrays.fill(BYTE_OF_CHAR, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            CHAR_OF_BYTE[b] = c;
            BYTE_OF_CHAR[c] = b;
        }
    }

    private Gpt2ByteMapping() {
    }

    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = CHAR_OF_BYTE[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /** The bytes a vocabulary string stands for; characters outside the mapping keep their UTF-8 form. */
    static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int b = codePoint < BYTE_OF_CHAR.length ? BYTE_OF_CHAR[codePoint] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
            }
            i += Character.charCount(codePoint);
        }
        return out.toByteArray();
    }
}
