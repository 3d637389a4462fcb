package io.herd.provider.inline;

import io.herd.api.models.RegisteredModel;
import io.herd.engine.batch.BatchScheduler;
import io.herd.engine.chat.ChatFormat;
import io.herd.engine.generate.Generator;
import io.herd.engine.model.LanguageModel;

/**
 * A model the inline provider serves: the engine model, its chat format and the context a request gets, and what
 * runs its generations: a continuous-batching {@code scheduler} when the model supports batched forward passes,
 * otherwise (scheduler null) the single-sequence {@code generator}.
 */
record LoadedModel(RegisteredModel registration, LanguageModel model, Generator generator, BatchScheduler scheduler,
                   ChatFormat chatFormat, int contextLength) {
}
