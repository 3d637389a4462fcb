package io.herd.engine.generate;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns token bytes into whole characters: a UTF-8 sequence split across tokens is held until it
 * completes; malformed bytes become U+FFFD.
 */
final class Utf8Accumulator {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer carry = ByteBuffer.allocate(0);

    /** Characters completed by {@code bytes}. */
    String append(byte[] bytes) {
        ByteBuffer input = ByteBuffer.allocate(carry.remaining() + bytes.length);
        input.put(carry).put(bytes).flip();
        CharBuffer output = CharBuffer.allocate(input.remaining() + 1);
        decoder.decode(input, output, false);
        carry = input.slice();
        return output.flip().toString();
    }

    /** Whatever incomplete sequence is left, as U+FFFD; resets the accumulator. */
    String finish() {
        CharBuffer output = CharBuffer.allocate(carry.remaining() + 2);
        decoder.decode(carry, output, true);
        decoder.flush(output);
        decoder.reset();
        carry = ByteBuffer.allocate(0);
        return output.flip().toString();
    }
}
