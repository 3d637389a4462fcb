package io.herd.engine.tokenizer;

import io.herd.engine.gguf.GGUFFile;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared reference files (llama.cpp test vectors, Meta's Llama 3 tokenizer, llama2.c's
 * tok512) and tokenizers loaded from them once per test JVM.
 */
final class TokenizerTestData {

    static final Path SHARED = Path.of(System.getProperty("herd.shared.dir", "../shared"));
    static final Path MODELS = SHARED.resolve("models");
    static final Path VOCAB = MODELS.resolve("vocab");
    static final Path SPM_GGUF = VOCAB.resolve("ggml-vocab-llama-spm.gguf");
    static final Path LLAMA3_TIKTOKEN = VOCAB.resolve("llama3-tokenizer.model");
    static final Path TOK512 = MODELS.resolve("tok512.bin");
    static final Path STORIES_GGUF = MODELS.resolve("stories260K.gguf");
    static final Path STORIES_IDS = MODELS.resolve("reference/stories260K_t0_n64_once.ids");
    static final Path STORIES_TEXT = MODELS.resolve("reference/stories260K_t0_n64_once.txt");

    private static Tokenizer llama2Spm;
    private static Tokenizer llama3;
    private static Tokenizer tok512;

    private TokenizerTestData() {
    }

    static void assumePresent(Path file) {
        assumeTrue(Files.exists(file), "shared test data absent: " + file.toAbsolutePath()
                + " (set -Dherd.shared.dir)");
    }

    static synchronized Tokenizer llama2Spm() throws IOException {
        assumePresent(SPM_GGUF);
        if (llama2Spm == null) {
            try (GGUFFile gguf = GGUFFile.open(SPM_GGUF)) {
                llama2Spm = Tokenizers.fromGguf(gguf);
            }
        }
        return llama2Spm;
    }

    static synchronized Tokenizer llama3() throws IOException {
        assumePresent(LLAMA3_TIKTOKEN);
        if (llama3 == null) {
            llama3 = Tokenizers.fromTiktoken(LLAMA3_TIKTOKEN);
        }
        return llama3;
    }

    static synchronized Tokenizer tok512() throws IOException {
        assumePresent(TOK512);
        if (tok512 == null) {
            tok512 = Tokenizers.fromLlama2c(TOK512, 512);
        }
        return tok512;
    }

    /** One llama.cpp tokenizer test case. */
    record Vector(int index, String text, int[] ids) {
        @Override
        public String toString() {
            return "#" + index + " " + escape(text);
        }
    }

    /**
     * Reads llama.cpp's {@code <vocab>.inp} / {@code .out} pair: texts each followed by
     * {@code \n__ggml_vocab_test__\n}; one line of space-separated ids per text.
     */
    static List<Vector> vectors(String vocabName) {
        Path inp = VOCAB.resolve(vocabName + ".inp");
        Path out = VOCAB.resolve(vocabName + ".out");
        if (!Files.exists(inp) || !Files.exists(out)) {
            return List.of();
        }
        try {
            String all = Files.readString(inp, StandardCharsets.UTF_8);
            String separator = "\n__ggml_vocab_test__\n";
            List<String> texts = new ArrayList<>();
            for (int start = 0; start < all.length(); ) {
                int end = all.indexOf(separator, start);
                if (end < 0) {
                    throw new IllegalStateException(inp + ": text without trailing separator at " + start);
                }
                texts.add(all.substring(start, end));
                start = end + separator.length();
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (lines.size() != texts.size()) {
                throw new IllegalStateException(inp + " has " + texts.size() + " texts but " + out + " has "
                        + lines.size() + " lines");
            }
            List<Vector> vectors = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                String line = lines.get(i).strip();
                int[] ids = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray();
                vectors.add(new Vector(i, texts.get(i), ids));
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parameterized-test arguments; a single skipped case when the files are absent. */
    static Stream<Arguments> vectorArguments(String vocabName) {
        List<Vector> vectors = vectors(vocabName);
        if (vectors.isEmpty()) {
            return Stream.of(Arguments.of((Object) null));
        }
        return vectors.stream().map(Arguments::of);
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }
}
