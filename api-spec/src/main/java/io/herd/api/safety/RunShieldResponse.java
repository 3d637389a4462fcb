package io.herd.api.safety;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.herd.api.inference.ChatMessage;
import java.util.List;

/**
 * Answer of {@code POST /v1/safety/run-shield}: {@code {"violation": null}} or a violation. A violation is not an
 * HTTP error.
 *
 * @param violation        the finding, or null when the messages passed
 * @param redactedMessages Herd extension: the checked messages with sensitive values replaced (e.g. by
 *                         {@code [REDACTED_EMAIL]}), when the shield redacts instead of blocking; the gateway forwards
 *                         these instead of the originals. Null when nothing was changed, and then left out of the JSON.
 */
public record RunShieldResponse(
        @JsonInclude(JsonInclude.Include.ALWAYS) @JsonProperty("violation") SafetyViolation violation,
        @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("redacted_messages") List<ChatMessage> redactedMessages) {

    public static final RunShieldResponse PASSED = new RunShieldResponse(null, null);

    public RunShieldResponse {
        redactedMessages = redactedMessages == null ? null : List.copyOf(redactedMessages);
    }

    public static RunShieldResponse of(SafetyViolation violation) {
        return new RunShieldResponse(violation, null);
    }

    /** Whether the request must be refused (a violation at level {@code error}). */
    public boolean blocks() {
        return violation != null && violation.violationLevel().blocks();
    }
}
