package io.herd.engine.cli;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** Opens GGUF and llama2.c models and tokenizer files with the engine's readers. */
final class DefaultEngineLoader implements EngineLoader {

    // TODO(chat): wire ModelLoader.load and Tokenizers.* once the engine and tokenizer branches are on main.
    @Override
    public LanguageModel loadModel(Path model, Path tokenizer, int threads) throws IOException {
        throw new IOException("this build has no model reader yet (engine branch not merged)");
    }

    @Override
    public Tokenizer loadTokenizer(Path tokenizer) throws IOException {
        throw new IOException("this build has no tokenizer reader yet (tokenizer branch not merged)");
    }
}
