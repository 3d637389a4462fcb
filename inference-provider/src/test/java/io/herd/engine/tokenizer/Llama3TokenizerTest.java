package io.herd.engine.tokenizer;

import io.herd.engine.tokenizer.TokenizerTestData.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Meta's Llama 3 tiktoken tokenizer, against llama.cpp's Llama 3 test vectors (generated with the
 * Hugging Face tokenizer) and the expectations of Meta's own llama-models tests.
 */
class Llama3TokenizerTest {

    private static final String VOCAB = "ggml-vocab-llama-bpe.gguf";

    static Stream<Arguments> vectors() {
        return TokenizerTestData.vectorArguments(VOCAB);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesLikeLlamaCpp(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent under " + TokenizerTestData.VOCAB);
        assertThat(TokenizerTestData.llama3().encode(vector.text(), false, false)).containsExactly(vector.ids());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesBackToTheInput(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent under " + TokenizerTestData.VOCAB);
        assertThat(TokenizerTestData.llama3().decode(vector.ids())).isEqualTo(vector.text());
    }

    @Test
    void specialTokensAsMetaDefinesThem() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        assertThat(tokenizer.vocabularySize()).isEqualTo(128_256);
        assertThat(tokenizer.bosToken()).isEqualTo(128_000);
        assertThat(tokenizer.eosToken()).isEqualTo(128_001);
        assertThat(tokenizer.stopTokens()).containsExactlyInAnyOrder(128_001, 128_008, 128_009);
        assertThat(tokenizer.specialToken("<|begin_of_text|>")).hasValue(128_000);
        assertThat(tokenizer.specialToken("<|finetune_right_pad_id|>")).hasValue(128_004);
        assertThat(tokenizer.specialToken("<|start_header_id|>")).hasValue(128_006);
        assertThat(tokenizer.specialToken("<|end_header_id|>")).hasValue(128_007);
        assertThat(tokenizer.specialToken("<|eom_id|>")).hasValue(128_008);
        assertThat(tokenizer.specialToken("<|eot_id|>")).hasValue(128_009);
        assertThat(tokenizer.specialToken("<|python_tag|>")).hasValue(128_010);
        assertThat(tokenizer.specialToken("<|reserved_special_token_2|>")).hasValue(128_012);
        assertThat(tokenizer.specialToken("<|reserved_special_token_245|>")).hasValue(128_255);
        assertThat(tokenizer.specialToken("hello")).isEmpty();
        assertThat(IntStream.range(128_000, 128_256).allMatch(tokenizer::isSpecial)).isTrue();
        assertThat(tokenizer.isSpecial(9906)).isFalse();
        assertThat(tokenizer.addsBosByDefault()).isTrue();
        assertThat(tokenizer.addsSpacePrefix()).isFalse();
    }

    /** Meta's llama-models test_tokenizer.py: test_encode and test_decode. */
    @Test
    void encodesAndDecodesLikeMetasTests() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        int[] ids = tokenizer.encode("This is a test sentence.", true, false);
        assertThat(ids).containsExactly(128000, 2028, 374, 264, 1296, 11914, 13);
        assertThat(tokenizer.decode(new int[] {128000, 2028, 374, 264, 1296, 11914, 13, 128001}))
                .isEqualTo("<|begin_of_text|>This is a test sentence.<|end_of_text|>");
        assertThat(tokenizer.decode(new int[] {128000, 2028, 374, 264, 1296, 11914, 13, 128001}, false))
                .isEqualTo("This is a test sentence.");
    }

    /** Meta's test_encode_message: a chat header and end-of-turn written as text, parsed as specials. */
    @Test
    void parsesSpecialTokenTextWhenAsked() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        String message = "<|start_header_id|>user<|end_header_id|>\n\nThis is a test sentence.<|eot_id|>";
        assertThat(tokenizer.encode(message, false, true))
                .containsExactly(128006, 882, 128007, 271, 2028, 374, 264, 1296, 11914, 13, 128009);

        int[] literal = tokenizer.encode(message, false, false);
        assertThat(IntStream.of(literal).noneMatch(id -> id >= 128_000)).isTrue();
        assertThat(tokenizer.decode(literal)).isEqualTo(message);
    }

    @Test
    void cutsVeryLongRunsAsMetaDoes() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        // Meta's tokenizer.py encodes runs of more than 25,000 non-whitespace characters in slices
        String run = "ab".repeat(15_000);
        int[] whole = tokenizer.encode(run, false, false);
        int[] first = tokenizer.encode(run.substring(0, 25_000), false, false);
        int[] rest = tokenizer.encode(run.substring(25_000), false, false);
        assertThat(whole).containsExactly(IntStream.concat(IntStream.of(first), IntStream.of(rest)).toArray());
        assertThat(tokenizer.decode(whole)).isEqualTo(run);
    }

    @Test
    @Timeout(20) // guards against quadratic merging hanging the build; speed itself is benchmarked elsewhere
    void encodesLongWordsWithoutAQuadraticBlowUp() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            text.append((char) ('a' + (i * 7 + i / 26) % 26));
        }
        int[] ids = tokenizer.encode(text.toString(), false, false);
        assertThat(tokenizer.decode(ids)).isEqualTo(text.toString());
    }

    @Test
    void tokenBytesAreRawBytesEvenForPartialCharacters() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama3();
        // "🚀" is F0 9F 9A 80; the Llama 3 vectors spell it as tokens 9468 248 222
        byte[] joined = concat(tokenizer.tokenBytes(9468), tokenizer.tokenBytes(248), tokenizer.tokenBytes(222));
        assertThat(new String(joined, StandardCharsets.UTF_8)).isEqualTo("\uD83D\uDE80");
        assertThat(tokenizer.tokenBytes(9468)).isNotEmpty().hasSizeLessThan(4);
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, offset, part.length);
            offset += part.length;
        }
        return out;
    }
}
