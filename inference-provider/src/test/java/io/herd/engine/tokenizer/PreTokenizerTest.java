package io.herd.engine.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Llama 3 split, with expectations worked out by hand from the pattern's semantics
 * (leftmost alternative first, greedy with backtracking, Unicode classes as in Rust's regex).
 */
class PreTokenizerTest {

    static Stream<Arguments> splits() {
        return Stream.of(
                Arguments.of("Hello world", List.of("Hello", " world")),
                // \s+(?!\S) gives back the last space so that it can lead the word
                Arguments.of("   Hello", List.of("  ", " Hello")),
                Arguments.of("hi  ", List.of("hi", "  ")),
                // contractions, case-insensitively
                Arguments.of("I'm here, y'all", List.of("I", "'m", " here", ",", " y", "'all")),
                Arguments.of("WE'LL GO", List.of("WE", "'LL", " GO")),
                // digits in groups of at most three
                Arguments.of("1234567", List.of("123", "456", "7")),
                Arguments.of("a1b", List.of("a", "1", "b")),
                // punctuation takes following newlines; whitespace runs ending in newlines stay together
                Arguments.of("ok!!!\n\nnext", List.of("ok", "!!!\n\n", "next")),
                Arguments.of("x  \n y", List.of("x", "  \n", " y")),
                Arguments.of("\t\n", List.of("\t\n")),
                // one non-letter, non-digit, non-newline character may lead a word
                Arguments.of("(normal)", List.of("(normal", ")")),
                Arguments.of("\nword", List.of("\n", "word")),
                // U+3000 is White_Space in Unicode, as \s means in tiktoken's regex engine
                Arguments.of("a\u3000\u3000b", List.of("a", "\u3000", "\u3000b")),
                Arguments.of("", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("splits")
    void splitsLikeTheLlama3Regex(String text, List<String> words) {
        assertThat(PreTokenizer.LLAMA3.split(text)).containsExactlyElementsOf(words);
    }

    @org.junit.jupiter.api.Test
    void knowsOnlyTheLlama3FamilyFromGguf() {
        assertThat(PreTokenizer.forGgufName("llama-bpe")).isSameAs(PreTokenizer.LLAMA3);
        assertThat(PreTokenizer.forGgufName("llama3")).isSameAs(PreTokenizer.LLAMA3);
        assertThatThrownBy(() -> PreTokenizer.forGgufName("qwen2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported BPE pre-tokenizer 'qwen2'");
    }
}
