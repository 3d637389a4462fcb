package io.herd.engine.cli;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.llama2c.Llama2cCheckpoint;
import io.herd.engine.model.GGUFLlamaReader;
import io.herd.engine.model.LanguageModel;
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
 * Opens models and tokenizers by looking at the files: GGUF (model and tokenizer in one file),
 * llama2.c checkpoints (which need a separate tokenizer file), Meta's tiktoken
 * {@code tokenizer.model} and llama2.c {@code tokenizer.bin}.
 */
final class DefaultEngineLoader implements EngineLoader {

    @Override
    public LanguageModel loadModel(Path model, Path tokenizerPath, int threads) throws IOException {
        requireFile(model);
        Parallel pool = threads == 0 ? Parallel.withAvailableProcessors() : Parallel.create(threads);
        try {
            if (GGUFFile.isGGUF(model)) {
                GGUFFile gguf = GGUFFile.open(model);
                try {
                    Tokenizer tokenizer = tokenizerPath != null ? loadTokenizer(tokenizerPath) : Tokenizers.fromGguf(gguf);
                    return GGUFLlamaReader.read(gguf, tokenizer, pool);
                } catch (IOException | RuntimeException e) {
                    gguf.close();
                    throw e;
                }
            }
            if (tokenizerPath == null) {
                throw new IOException(model + " is a llama2.c checkpoint, which carries no tokenizer: give --tokenizer (e.g. tokenizer.bin)");
            }
            Tokenizer tokenizer = isLlama2cTokenizer(tokenizerPath)
                    ? Tokenizers.fromLlama2c(tokenizerPath, llama2cVocabularySize(model))
                    : loadTokenizer(tokenizerPath);
            return Llama2cCheckpoint.load(model, tokenizer, pool);
        } catch (IOException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    @Override
    public Tokenizer loadTokenizer(Path path) throws IOException {
        requireFile(path);
        if (GGUFFile.isGGUF(path)) {
            try (GGUFFile gguf = GGUFFile.open(path)) {
                return Tokenizers.fromGguf(gguf);
            }
        }
        if (isLlama2cTokenizer(path)) {
            return Tokenizers.fromLlama2c(path, countLlama2cTokens(path));
        }
        return Tokenizers.fromTiktoken(path);
    }

    private static void requireFile(Path path) throws NoSuchFileException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(path.toString());
        }
    }

    /** A tiktoken file is base64 text; a llama2.c tokenizer starts with a small binary int32 (the longest token). */
    private static boolean isLlama2cTokenizer(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(4);
            if (head.length < 4) {
                return false;
            }
            int maxTokenLength = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
            return maxTokenLength > 0 && maxTokenLength < 4096;
        }
    }

    /** The vocabulary size in a llama2.c header (the 6th int32, negative when the classifier is unshared). */
    private static int llama2cVocabularySize(Path checkpoint) throws IOException {
        try (InputStream in = Files.newInputStream(checkpoint)) {
            byte[] header = in.readNBytes(7 * 4);
            if (header.length < 7 * 4) {
                throw new IOException(checkpoint + ": too small for a llama2.c header");
            }
            return Math.abs(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(5 * 4));
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
