package io.herd.api.models;

import java.util.List;

/** {@code GET /v1/models}: {@code {object:"list", data:[...]}}. */
public record ModelList(String object, List<OpenAIModel> data) {

    public static ModelList of(List<OpenAIModel> data) {
        return new ModelList("list", List.copyOf(data));
    }
}
