package io.herd.engine.generate;

import io.herd.engine.model.LanguageModel;

/** Starts generations on one model. Each generation has its own state, so several may run at once. */
public final class Generator {

    private final LanguageModel model;

    public Generator(LanguageModel model) {
        this.model = model;
    }

    /**
     * Prepares a generation; no forward pass runs until the first {@link Generation#next()}.
     *
     * @throws ContextLengthExceededException when the prompt does not fit the context
     */
    public Generation start(GenerationRequest request) {
        return new Generation(model, request);
    }

    public Generation start(int[] promptTokens, SamplingParameters sampling) {
        return start(GenerationRequest.of(promptTokens, sampling));
    }

    /** Generates to the end and returns everything at once. */
    public GenerationResult complete(GenerationRequest request) {
        try (Generation generation = start(request)) {
            return generation.collect();
        }
    }

    public LanguageModel model() {
        return model;
    }
}
