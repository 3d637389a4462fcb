package io.herd.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The OpenAI error envelope every Herd API returns: {@code {"error":{"message","type","code","param"}}}.
 */
public record ErrorResponse(ErrorBody error) {

    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ErrorBody(String message, String type, String code, String param) {
    }

    public static ErrorResponse of(String message, String type, String code, String param) {
        return new ErrorResponse(new ErrorBody(message, type, code, param));
    }
}
