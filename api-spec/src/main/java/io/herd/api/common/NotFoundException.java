package io.herd.api.common;

/** 404: the named resource (model, provider, shield, ...) does not exist. */
public final class NotFoundException extends HerdException {

    public NotFoundException(String message, String code, String param) {
        super(404, "not_found_error", code, param, message, null);
    }

    public static NotFoundException model(String modelId) {
        return new NotFoundException("Model '" + modelId + "' not found. List the available models with GET /v1/models.",
                "model_not_found", "model");
    }
}
