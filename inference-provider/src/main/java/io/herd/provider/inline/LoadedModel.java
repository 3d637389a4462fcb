package io.herd.provider.inline;

import io.herd.api.models.RegisteredModel;
import io.herd.engine.chat.ChatFormat;
import io.herd.engine.generate.Generator;
import io.herd.engine.model.LanguageModel;

/** A model the inline provider serves: the engine model, its generator and chat format, and the context it gets. */
record LoadedModel(RegisteredModel registration, LanguageModel model, Generator generator, ChatFormat chatFormat,
                   int contextLength) {
}
