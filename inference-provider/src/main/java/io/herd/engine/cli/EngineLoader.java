package io.herd.engine.cli;

import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** Opens models and tokenizers for the command line; tests substitute their own. */
public interface EngineLoader {

    /**
     * @param tokenizer a separate tokenizer file (llama2.c checkpoints need one), or null
     * @param threads   worker threads for the forward pass; 0 lets the engine choose
     */
    LanguageModel loadModel(Path model, Path tokenizer, int threads) throws IOException;

    Tokenizer loadTokenizer(Path tokenizer) throws IOException;
}
