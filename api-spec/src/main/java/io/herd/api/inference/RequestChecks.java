package io.herd.api.inference;

import io.herd.api.common.InvalidRequestException;

import java.util.List;

/** Value checks shared by the request records; each failure names the field. */
final class RequestChecks {

    private RequestChecks() {
    }

    static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException("'" + field + "' is required", field);
        }
    }

    static void checkSampling(Double temperature, Double topP, Double frequencyPenalty, Double presencePenalty,
                              Integer n, Long seed) {
        checkRange(temperature, 0, 2, "temperature");
        if (topP != null && (!(topP > 0) || topP > 1)) {
            throw new InvalidRequestException("'top_p' must be in (0, 1], got " + topP, "top_p");
        }
        checkRange(frequencyPenalty, -2, 2, "frequency_penalty");
        checkRange(presencePenalty, -2, 2, "presence_penalty");
        if (n != null && (n < 1 || n > 128)) {
            throw new InvalidRequestException("'n' must be between 1 and 128, got " + n, "n");
        }
    }

    static void checkRange(Double value, double min, double max, String field) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            throw new InvalidRequestException("'" + field + "' must be between " + fmt(min) + " and " + fmt(max)
                    + ", got " + value, field);
        }
    }

    static void checkPositive(Integer value, String field) {
        if (value != null && value < 1) {
            throw new InvalidRequestException("'" + field + "' must be a positive integer, got " + value, field);
        }
    }

    static void checkStop(List<String> stop) {
        if (stop == null) {
            return;
        }
        for (int i = 0; i < stop.size(); i++) {
            if (stop.get(i) == null || stop.get(i).isEmpty()) {
                throw new InvalidRequestException("'stop' entries must be non-empty strings", "stop[" + i + "]");
            }
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
