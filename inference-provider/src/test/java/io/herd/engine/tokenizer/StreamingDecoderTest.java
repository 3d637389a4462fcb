package io.herd.engine.tokenizer;

import io.herd.engine.tokenizer.TokenizerTestData.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class StreamingDecoderTest {

    private static final int LLAMA2_BYTE_TOKEN_OFFSET = 3;

    static Stream<Arguments> llama3Vectors() {
        return TokenizerTestData.vectorArguments("ggml-vocab-llama-bpe.gguf");
    }

    static Stream<Arguments> llama2Vectors() {
        return TokenizerTestData.vectorArguments("ggml-vocab-llama-spm.gguf");
    }

    private static List<String> feedOneByOne(StreamingDecoder decoder, int[] ids) {
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            chunks.add(decoder.accept(id));
        }
        chunks.add(decoder.flush());
        return chunks;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama3Vectors")
    void llama3StreamNeverBreaksACharacter(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent");
        List<String> chunks = feedOneByOne(new StreamingDecoder(TokenizerTestData.llama3()), vector.ids());
        assertThat(chunks).noneMatch(chunk -> chunk.contains("\uFFFD"));
        assertThat(String.join("", chunks)).isEqualTo(vector.text());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama2Vectors")
    void llama2StreamAfterBosNeverBreaksACharacter(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent");
        Tokenizer tokenizer = TokenizerTestData.llama2Spm();
        int[] withBos = new int[vector.ids().length + 1];
        withBos[0] = tokenizer.bosToken();
        System.arraycopy(vector.ids(), 0, withBos, 1, vector.ids().length);
        List<String> chunks = feedOneByOne(new StreamingDecoder(tokenizer), withBos);
        assertThat(chunks).noneMatch(chunk -> chunk.contains("\uFFFD"));
        // the dummy-prefix space right after BOS is dropped, as SentencePiece does
        assertThat(String.join("", chunks)).isEqualTo(vector.text());
    }

    @Test
    void holdsBackAnEmojiSpreadOverByteTokens() throws IOException {
        StreamingDecoder decoder = new StreamingDecoder(TokenizerTestData.llama2Spm());
        // U+1F999 = F0 9F A6 99, spelled with SentencePiece byte tokens
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xF0)).isEmpty();
        assertThat(decoder.hasPendingBytes()).isTrue();
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0x9F)).isEmpty();
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xA6)).isEmpty();
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0x99)).isEqualTo("\uD83E\uDD99");
        assertThat(decoder.hasPendingBytes()).isFalse();
    }

    @Test
    void holdsBackACjkCharacterSplitAcrossBpeTokens() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        // from the Llama 3 vectors: "🚀" = 9468 248 222 (F0 9F | 9A | 80)
        assertThat(decoder.accept(9468)).isEmpty();
        assertThat(decoder.accept(248)).isEmpty();
        assertThat(decoder.accept(222)).isEqualTo("\uD83D\uDE80");
        // a CJK character (3 UTF-8 bytes) given as single-byte tokens
        String han = "\u5DE5"; // E5 B7 A5
        int[] bytes = tokenizer.encode(han, false, false);
        List<String> chunks = feedOneByOne(decoder, singleByteTokens(tokenizer, new byte[] {(byte) 0xE5, (byte) 0xB7, (byte) 0xA5}));
        assertThat(chunks).containsExactly("", "", han, "");
        assertThat(tokenizer.decode(bytes)).isEqualTo(han);
    }

    private static int[] singleByteTokens(Tokenizer tokenizer, byte[] bytes) {
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = -1;
            for (int id = 0; id < 128_000; id++) {
                byte[] piece = tokenizer.tokenBytes(id);
                if (piece.length == 1 && piece[0] == bytes[i]) {
                    ids[i] = id;
                    break;
                }
            }
            assertThat(ids[i]).as("token of byte %02x", bytes[i]).isNotNegative();
        }
        return ids;
    }

    @Test
    void malformedBytesComeOutAsReplacementCharacterAtOnce() throws IOException {
        StreamingDecoder decoder = new StreamingDecoder(TokenizerTestData.llama2Spm());
        // 0xFF never occurs in UTF-8
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xFF)).isEqualTo("\uFFFD");
        // a lead byte followed by ASCII: the lead can never be completed
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xE4)).isEmpty();
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 'a')).isEqualTo("\uFFFDa");
        // E0 must be followed by A0..BF: E0 80 is malformed already at the second byte
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xE0)).isEmpty();
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0x80)).doesNotContain("a").contains("\uFFFD");
        assertThat(decoder.hasPendingBytes()).isFalse();
    }

    @Test
    void flushTurnsAnUnfinishedCharacterIntoReplacement() throws IOException {
        StreamingDecoder decoder = new StreamingDecoder(TokenizerTestData.llama2Spm());
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xE4)).isEmpty();
        assertThat(decoder.accept(LLAMA2_BYTE_TOKEN_OFFSET + 0xB8)).isEmpty();
        assertThat(decoder.flush()).isEqualTo("\uFFFD");
        assertThat(decoder.flush()).isEmpty();
    }

    @Test
    void specialTokensAreRenderedOrSuppressed() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        int[] header = {128006, 882, 128007, 271};
        StreamingDecoder quiet = new StreamingDecoder(tokenizer);
        assertThat(quiet.accept(header) + quiet.flush()).isEqualTo("user\n\n");
        StreamingDecoder verbose = new StreamingDecoder(tokenizer, true);
        assertThat(verbose.accept(header) + verbose.flush()).isEqualTo("<|start_header_id|>user<|end_header_id|>\n\n");
        // a special token cannot complete a character: the unfinished bytes before it are replaced
        assertThat(verbose.accept(9468)).isEmpty();
        assertThat(verbose.accept(128009)).isEqualTo("\uFFFD<|eot_id|>");
        // suppressed special tokens leave held-back bytes waiting for their continuation
        assertThat(quiet.accept(9468)).isEmpty();
        assertThat(quiet.accept(128009)).isEmpty();
        assertThat(quiet.accept(248, 222)).isEqualTo("\uD83D\uDE80");
    }
}
