package io.herd.engine.cli;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.model.ModelLoader;
import io.herd.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** The engine's own loader: GGUF files and llama2.c checkpoints, as {@link ModelLoader} reads them. */
final class DefaultEngineLoader implements EngineLoader {

    @Override
    public LanguageModel loadModel(Path model, Path tokenizerPath, int threads) throws IOException {
        ModelLoader.Options options = ModelLoader.Options.defaults();
        return ModelLoader.load(model, tokenizerPath, threads == 0 ? options : options.withThreads(threads));
    }

    @Override
    public Tokenizer loadTokenizer(Path path) throws IOException {
        return ModelLoader.loadTokenizer(path);
    }
}
