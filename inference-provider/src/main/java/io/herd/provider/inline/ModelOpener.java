package io.herd.provider.inline;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.model.ModelLoader;

import java.io.IOException;
import java.nio.file.Path;

/** Opens a model file with the engine's readers; tests and the worker may substitute their own. */
@FunctionalInterface
public interface ModelOpener {

    /** @param threads forward-pass threads; 0 uses every processor */
    LanguageModel open(Path modelFile, int threads) throws IOException;

    /**
     * The engine's {@link ModelLoader}: a GGUF file with its own tokenizer, or a llama2.c checkpoint with the
     * {@code tokenizer.bin} beside it.
     */
    static ModelOpener gguf() {
        return (file, threads) -> ModelLoader.load(file, null,
                threads > 0 ? ModelLoader.Options.defaults().withThreads(threads) : ModelLoader.Options.defaults());
    }
}
