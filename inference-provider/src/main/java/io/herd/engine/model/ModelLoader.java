package io.herd.engine.model;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.llama2c.Llama2cCheckpoint;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;
import io.herd.engine.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens a model file: GGUF (detected by its magic; tokenizer and chat template come from the file) or
 * a llama2.c checkpoint (tokenizer from a llama2.c {@code tokenizer.bin}: the given path, else
 * {@code tokenizer.bin} next to the model).
 */
public final class ModelLoader {

    /**
     * @param threads          matmul threads, including the caller
     * @param kvCachePrecision attention precision; {@link KvCachePrecision#F16} tracks llama.cpp
     */
    public record Options(int threads, KvCachePrecision kvCachePrecision) {
        public Options {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }

        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), KvCachePrecision.F16);
        }

        public Options withThreads(int threads) {
            return new Options(threads, kvCachePrecision);
        }
    }

    private ModelLoader() {
    }

    public static LanguageModel load(Path modelPath, Path tokenizerPathOrNull) throws IOException {
        return load(modelPath, tokenizerPathOrNull, Options.defaults());
    }

    public static LanguageModel load(Path modelPath, Path tokenizerPathOrNull, Options options) throws IOException {
        if (!Files.isRegularFile(modelPath)) {
            throw new NoSuchFileException(modelPath.toString(), null, "model file not found");
        }
        Parallel pool = Parallel.create(options.threads());
        try {
            if (GGUFFile.isGGUF(modelPath)) {
                GGUFFile gguf = GGUFFile.open(modelPath);
                try {
                    Configuration config = GGUFLlamaReader.configuration(gguf);
                    Tokenizer tokenizer = tokenizerPathOrNull == null
                            ? Tokenizers.fromGguf(gguf)
                            : separateTokenizer(tokenizerPathOrNull, config.vocabularySize());
                    requireMatchingVocabulary(modelPath, tokenizer, config.vocabularySize());
                    return GGUFLlamaReader.read(gguf, tokenizer, pool, options.kvCachePrecision());
                } catch (IOException | RuntimeException e) {
                    gguf.close();
                    throw e;
                }
            }
            int vocabulary = llama2cVocabularySize(modelPath);
            Path tokenizerPath = tokenizerPathOrNull != null ? tokenizerPathOrNull : modelPath.resolveSibling("tokenizer.bin");
            if (!Files.isRegularFile(tokenizerPath)) {
                throw new NoSuchFileException(tokenizerPath.toString(), null,
                        modelPath.getFileName() + " is a llama2.c checkpoint without a tokenizer; give its tokenizer.bin");
            }
            Tokenizer tokenizer = separateTokenizer(tokenizerPath, vocabulary);
            requireMatchingVocabulary(modelPath, tokenizer, vocabulary);
            return Llama2cCheckpoint.load(modelPath, tokenizer, pool, options.kvCachePrecision());
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * Opens a tokenizer on its own (e.g. for {@code tokenize --tokenizer}): GGUF, llama2.c {@code tokenizer.bin}
     * (whose size is then counted from its entries), or tiktoken {@code tokenizer.model}.
     */
    public static Tokenizer loadTokenizer(Path path) throws IOException {
        return separateTokenizer(path, 0);
    }

    /**
     * A tokenizer file next to the model: GGUF, llama2.c {@code tokenizer.bin}, or tiktoken {@code tokenizer.model}.
     *
     * @param modelVocabulary the model's vocabulary size, or 0 when unknown (llama2.c files are then counted)
     */
    private static Tokenizer separateTokenizer(Path path, int modelVocabulary) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString(), null, "tokenizer file not found");
        }
        if (GGUFFile.isGGUF(path)) {
            try (GGUFFile gguf = GGUFFile.open(path)) {
                return Tokenizers.fromGguf(gguf);
            }
        }
        if (looksLikeLlama2cTokenizer(path)) {
            return Tokenizers.fromLlama2c(path, modelVocabulary > 0 ? modelVocabulary : countLlama2cTokens(path));
        }
        return Tokenizers.fromTiktoken(path);
    }

    private static void requireMatchingVocabulary(Path model, Tokenizer tokenizer, int modelVocabulary) throws IOException {
        if (tokenizer.vocabularySize() != modelVocabulary) {
            throw new IOException(model + ": the tokenizer has " + tokenizer.vocabularySize()
                    + " tokens but the model's vocabulary has " + modelVocabulary);
        }
    }

    /** llama2.c tokenizer files start with a small int32 (the longest token's length); tiktoken files are base64 text. */
    private static boolean looksLikeLlama2cTokenizer(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4) {
                return false;
            }
            int maxTokenLength = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
            return maxTokenLength > 0 && maxTokenLength < 4096;
        }
    }

    private static int llama2cVocabularySize(Path checkpoint) throws IOException {
        try (InputStream in = Files.newInputStream(checkpoint)) {
            byte[] header = in.readNBytes(7 * 4);
            if (header.length < 7 * 4) {
                throw new IOException(checkpoint + ": neither GGUF nor a llama2.c checkpoint (file too small for a header)");
            }
            int vocabulary = Math.abs(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(5 * 4));
            if (vocabulary <= 0 || vocabulary > 1 << 24) {
                throw new IOException(checkpoint + ": neither GGUF nor a llama2.c checkpoint (vocabulary size " + vocabulary + ")");
            }
            return vocabulary;
        }
    }

    /** A llama2.c tokenizer file does not store its size: count the (score, length, bytes) entries. */
    private static int countLlama2cTokens(Path path) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        in.getInt();
        int count = 0;
        while (in.remaining() >= 8) {
            in.getFloat();
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                throw new IOException(path + ": token " + count + " has invalid length " + length);
            }
            in.position(in.position() + length);
            count++;
        }
        if (in.hasRemaining() || count == 0) {
            throw new IOException(path + ": not a llama2.c tokenizer (" + in.remaining() + " stray bytes after " + count + " tokens)");
        }
        return count;
    }
}
