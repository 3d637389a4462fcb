package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Content of a chat message: either a plain string or a list of typed parts
 * ({@code text}, {@code image_url}, {@code file}), exactly as the OpenAI API allows.
 */
public sealed interface MessageContent {

    /** The text of all text parts, joined; images and files contribute nothing. */
    String text();

    record Text(@JsonValue String value) implements MessageContent {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String text() {
            return value;
        }
    }

    record Parts(@JsonValue List<ContentPart> parts) implements MessageContent {
        public Parts {
            parts = List.copyOf(parts);
        }

        @Override
        public String text() {
            return parts.stream().filter(p -> "text".equals(p.type()) && p.text() != null)
                    .map(ContentPart::text).collect(Collectors.joining());
        }
    }

    static MessageContent of(String text) {
        return new Text(text);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static MessageContent fromJson(Object json) {
        return switch (json) {
            case String s -> new Text(s);
            case List<?> list -> new Parts(list.stream().map(ContentPart::fromJson).toList());
            default -> throw new IllegalArgumentException("content must be a string or an array of content parts");
        };
    }
}
