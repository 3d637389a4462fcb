package io.herd.engine.tokenizer;

import io.herd.engine.tokenizer.TokenizerTestData.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Llama 1/2 SentencePiece vocabulary from GGUF, against llama.cpp's test vectors. */
class SentencePieceTokenizerTest {

    private static final String VOCAB = "ggml-vocab-llama-spm.gguf";

    static Stream<Arguments> vectors() {
        return TokenizerTestData.vectorArguments(VOCAB);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void encodesLikeLlamaCpp(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent under " + TokenizerTestData.VOCAB);
        // llama.cpp's test-tokenizer-0 tokenizes with add_special = false, parse_special = false
        assertThat(TokenizerTestData.llama2Spm().encode(vector.text(), false, false)).containsExactly(vector.ids());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesBackToTheInput(Vector vector) throws IOException {
        assumeTrue(vector != null, "llama.cpp test vectors absent under " + TokenizerTestData.VOCAB);
        assertThat(TokenizerTestData.llama2Spm().decode(vector.ids())).isEqualTo(vector.text());
    }

    @Test
    void vocabularyFacts() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama2Spm();
        assertThat(tokenizer.vocabularySize()).isEqualTo(32000);
        assertThat(tokenizer.bosToken()).isEqualTo(1);
        assertThat(tokenizer.eosToken()).isEqualTo(2);
        assertThat(tokenizer.stopTokens()).containsExactly(2);
        assertThat(tokenizer.addsBosByDefault()).isTrue();
        assertThat(tokenizer.addsSpacePrefix()).isTrue();
        assertThat(tokenizer.isSpecial(1)).isTrue();
        assertThat(tokenizer.isSpecial(0)).isTrue();
        assertThat(tokenizer.isSpecial(15043)).isFalse();
        assertThat(tokenizer.specialToken("<s>")).hasValue(1);
        assertThat(tokenizer.specialToken("</s>")).hasValue(2);
        assertThat(tokenizer.specialToken("Hello")).isEmpty();
        // SentencePiece byte pieces <0x00>..<0xFF> sit at ids 3..258
        assertThat(tokenizer.tokenBytes(3 + 0x0A)).containsExactly(0x0A);
        assertThat(new String(tokenizer.tokenBytes(15043), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(" Hello");
    }

    @Test
    void bosPrecedesTheDummyPrefixedText() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama2Spm();
        int[] withoutBos = tokenizer.encode("Hello world", false, false);
        assertThat(tokenizer.encode("Hello world", true, false))
                .startsWith(1).endsWith(withoutBos).hasSize(withoutBos.length + 1);
        assertThat(tokenizer.encode("", true, false)).containsExactly(1);
        assertThat(tokenizer.decode(tokenizer.encode("Hello world", true, false), false)).isEqualTo("Hello world");
    }

    @Test
    void specialTokenTextIsParsedOnlyWhenAsked() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama2Spm();
        int[] hello = tokenizer.encode("Hello", false, false);
        int[] parsed = tokenizer.encode("<s>Hello", false, true);
        // after a special token the text gets the dummy prefix again, as in llama.cpp
        assertThat(parsed).startsWith(1).endsWith(hello).hasSize(hello.length + 1);
        int[] literal = tokenizer.encode("<s>Hello", false, false);
        assertThat(literal).doesNotContain(1);
        assertThat(tokenizer.decode(literal)).isEqualTo("<s>Hello");
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToByteTokens() throws IOException {
        Tokenizer tokenizer = TokenizerTestData.llama2Spm();
        // U+1F999 is F0 9F A6 99 in UTF-8; byte token of byte b is 3 + b
        int[] ids = tokenizer.encode("\uD83E\uDD99", false, false);
        assertThat(ids).endsWith(3 + 0xF0, 3 + 0x9F, 3 + 0xA6, 3 + 0x99);
        assertThat(tokenizer.decode(ids)).isEqualTo("\uD83E\uDD99");
    }
}
