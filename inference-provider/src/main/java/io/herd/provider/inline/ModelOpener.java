package io.herd.provider.inline;

import io.herd.engine.gguf.GGUFFile;
import io.herd.engine.model.GGUFLlamaReader;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.tensor.Parallel;
import io.herd.engine.tokenizer.Tokenizer;
import io.herd.engine.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a model file with the engine's readers; tests may substitute their own. */
@FunctionalInterface
public interface ModelOpener {

    LanguageModel open(Path modelFile, int threads) throws IOException;

    /** GGUF files: weights mapped from the file, tokenizer from its {@code tokenizer.ggml.*} keys. */
    static ModelOpener gguf() {
        return (file, threads) -> {
            GGUFFile gguf = GGUFFile.open(file);
            Parallel pool = null;
            try {
                Tokenizer tokenizer = Tokenizers.fromGguf(gguf);
                pool = threads > 0 ? Parallel.create(threads) : Parallel.withAvailableProcessors();
                return GGUFLlamaReader.read(gguf, tokenizer, pool);
            } catch (IOException | RuntimeException e) {
                if (pool != null) {
                    pool.close();
                }
                gguf.close();
                throw e;
            }
        };
    }
}
