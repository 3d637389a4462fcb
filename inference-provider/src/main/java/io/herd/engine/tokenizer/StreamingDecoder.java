package io.herd.engine.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of token ids into text as it is generated. A token may end in the middle of a
 * UTF-8 sequence (byte tokens, or BPE tokens that split an emoji or a CJK character), so bytes are
 * held back until the sequence is complete: {@link #accept} never returns a broken character.
 * Bytes that can never become valid UTF-8 come out as U+FFFD right away; {@link #flush} turns an
 * unfinished sequence at the end into U+FFFD.
 *
 * <p>With a vocabulary that adds a dummy-prefix space ({@link Tokenizer#addsSpacePrefix()}), the
 * leading space of the first text token after BOS is dropped, as SentencePiece and llama2.c do.
 * Not thread-safe: one decoder per generation.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private byte[] pending = new byte[16];
    private int pendingLength;
    private boolean afterBos;

    /**
     * @param renderSpecial whether special tokens (e.g. {@code <|eot_id|>}) appear as their text;
     *                      otherwise they produce nothing
     */
    public StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** A decoder that leaves special tokens out of the text. */
    public StreamingDecoder(Tokenizer tokenizer) {
        this(tokenizer, false);
    }

    /** Feeds one token; returns the text that is now complete (possibly empty). */
    public String accept(int token) {
        boolean special = tokenizer.isSpecial(token);
        if (special) {
            afterBos = token == tokenizer.bosToken();
            if (!renderSpecial) {
                return "";
            }
            append(tokenizer.tokenBytes(token), 0);
        } else {
            byte[] bytes = tokenizer.tokenBytes(token);
            boolean dropSpace = afterBos && tokenizer.addsSpacePrefix() && bytes.length > 0 && bytes[0] == ' ';
            afterBos = false;
            append(bytes, dropSpace ? 1 : 0);
        }
        return decodeCompletePrefix();
    }

    /** Feeds several tokens; returns the text that is now complete. */
    public String accept(int... tokens) {
        StringBuilder text = new StringBuilder();
        for (int token : tokens) {
            text.append(accept(token));
        }
        return text.toString();
    }

    /** Ends the stream: returns what is still held back, an unfinished sequence as U+FFFD. */
    public String flush() {
        String text = decode(pendingLength);
        pendingLength = 0;
        afterBos = false;
        return text;
    }

    /** Whether bytes of an unfinished character are being held back. */
    public boolean hasPendingBytes() {
        return pendingLength > 0;
    }

    private void append(byte[] bytes, int from) {
        int count = bytes.length - from;
        if (pendingLength + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + count));
        }
        System.arraycopy(bytes, from, pending, pendingLength, count);
        pendingLength += count;
    }

    private String decodeCompletePrefix() {
        int complete = pendingLength - unfinishedTailLength();
        String text = decode(complete);
        System.arraycopy(pending, complete, pending, 0, pendingLength - complete);
        pendingLength -= complete;
        return text;
    }

    /**
     * Length of a trailing run of bytes that is a proper prefix of a well-formed UTF-8 sequence
     * (and so may still be completed by the next token); 0 when the buffer ends on a boundary or
     * on bytes that are malformed anyway.
     */
    private int unfinishedTailLength() {
        // a sequence is at most 4 bytes, so its lead byte is among the last 3
        for (int back = 1; back <= 3 && back <= pendingLength; back++) {
            int lead = pending[pendingLength - back] & 0xFF;
            if ((lead & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead
            }
            int needed = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                    : lead >= 0xF0 && lead <= 0xF4 ? 4 : 1;
            if (back >= needed || !validPrefix(pendingLength - back, back)) {
                return 0;
            }
            return back;
        }
        return 0;
    }

    /** Whether {@code length} bytes at {@code start} begin a well-formed sequence (Unicode table 3-7). */
    private boolean validPrefix(int start, int length) {
        int lead = pending[start] & 0xFF;
        if (length >= 2) {
            int second = pending[start + 1] & 0xFF;
            int low = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
            if (second < low || second > high) {
                return false;
            }
        }
        for (int i = 2; i < length; i++) {
            if ((pending[start + i] & 0xC0) != 0x80) {
                return false;
            }
        }
        return true;
    }

    private String decode(int length) {
        if (length == 0) {
            return "";
        }
        try {
            utf8.reset();
            CharBuffer chars = utf8.decode(ByteBuffer.wrap(pending, 0, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("UTF-8 decoder set to replace still failed", e);
        }
    }
}
