package io.herd.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the words that byte-level BPE merges within, by the pre-tokenizer regex of the
 * vocabulary. Java's regex engine backtracks with the same leftmost-first, greedy semantics as the
 * fancy-regex engine tiktoken uses, and {@link Pattern#UNICODE_CHARACTER_CLASS} gives {@code \s} the
 * Unicode White_Space meaning and {@code (?i)} Unicode case folding, as in Rust's regex.
 */
public final class PreTokenizer {

    /** Llama 3's (and OpenAI cl100k's) pattern, as in Meta's llama-models {@code tokenizer.py}. */
    public static final String LLAMA3_PATTERN =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    public static final PreTokenizer LLAMA3 = new PreTokenizer("llama3", LLAMA3_PATTERN);

    private final String name;
    private final Pattern pattern;

    private PreTokenizer(String name, String regex) {
        this.name = name;
        this.pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /**
     * The pre-tokenizer for a GGUF {@code tokenizer.ggml.pre} name. Only the Llama 3 family
     * (and vocabularies llama.cpp gives the same regex) is supported.
     */
    public static PreTokenizer forGgufName(String ggufName) {
        return switch (ggufName) {
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "dbrx", "smaug-bpe" -> LLAMA3;
            default -> throw new IllegalArgumentException("unsupported BPE pre-tokenizer '" + ggufName
                    + "' (tokenizer.ggml.pre); supported: llama3, llama-v3, llama-bpe, falcon3, dbrx, smaug-bpe");
        };
    }

    public String name() {
        return name;
    }

    /** The words of {@code text}, in order; together they cover it exactly. */
    public List<String> split(String text) {
        List<String> words = new ArrayList<>();
        forEachWord(text, words::add);
        return words;
    }

    void forEachWord(String text, java.util.function.Consumer<String> action) {
        Matcher matcher = pattern.matcher(text);
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() != end) {
                // every alternative together matches any character, so there are no gaps
                throw new IllegalStateException("pre-tokenizer skipped text at " + end);
            }
            action.accept(matcher.group());
            end = matcher.end();
        }
        if (end != text.length()) {
            throw new IllegalStateException("pre-tokenizer left text unmatched at " + end);
        }
    }
}
