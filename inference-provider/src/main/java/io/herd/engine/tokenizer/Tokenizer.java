package io.herd.engine.tokenizer;

import java.util.OptionalInt;
import java.util.Set;

/**
 * Text to token ids and back. Implementations: SentencePiece BPE (Llama 1/2) and byte-level
 * BPE (Llama 3). Decoding works on bytes, because a token may hold part of a UTF-8 sequence;
 * {@link StreamingDecoder} turns a token stream into whole characters.
 */
public interface Tokenizer {

    int vocabularySize();

    /**
     * Encodes {@code text}. With {@code parseSpecial}, special-token text such as
     * {@code <|eot_id|>} in the input becomes the special token; without it, it is plain text.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** The bytes a token stands for; special and control tokens yield their literal text. */
    byte[] tokenBytes(int token);

    /** Decodes ids to text; invalid UTF-8 (possible only for malformed sequences) becomes U+FFFD. */
    String decode(int[] tokens);

    int bosToken();

    int eosToken();

    /** Tokens that end a generation: EOS and, where defined, end-of-turn tokens such as {@code <|eot_id|>}. */
    Set<Integer> stopTokens();

    /** Id of a special token by its text, e.g. {@code <|start_header_id|>}. */
    OptionalInt specialToken(String text);

    /** True for control/special tokens that are not part of normal text output. */
    boolean isSpecial(int token);

    /** Whether this vocabulary expects a BOS token before a prompt. */
    default boolean addsBosByDefault() {
        return true;
    }

    /**
     * Decodes ids to text, rendering special tokens as their text or leaving them out.
     * {@link #decode(int[])} renders them, as Meta's Llama 3 tokenizer does.
     */
    default String decode(int[] tokens, boolean renderSpecial) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int token : tokens) {
            if (renderSpecial || !isSpecial(token)) {
                bytes.writeBytes(tokenBytes(token));
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Whether {@link #encode} puts a dummy-prefix space before text (SentencePiece vocabularies).
     * Decoders then drop one leading space from the first text token of a sequence, as
     * SentencePiece and llama2.c do after BOS.
     */
    default boolean addsSpacePrefix() {
        return false;
    }
}
