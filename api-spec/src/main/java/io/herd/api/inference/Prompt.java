package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/**
 * The {@code prompt} of a completion or the {@code input} of an embeddings request: a string, an array of
 * strings, an array of token ids, or an array of token-id arrays. One request holds one or more inputs.
 */
public sealed interface Prompt {

    int size();

    /** One or more texts. */
    record Texts(List<String> texts) implements Prompt {
        public Texts {
            texts = List.copyOf(texts);
        }

        @JsonValue
        Object json() {
            return texts.size() == 1 ? texts.getFirst() : texts;
        }

        @Override
        public int size() {
            return texts.size();
        }
    }

    /** One or more pre-tokenized inputs. */
    record Tokens(List<int[]> tokens) implements Prompt {
        public Tokens {
            tokens = List.copyOf(tokens);
        }

        @JsonValue
        Object json() {
            return tokens.size() == 1 ? tokens.getFirst() : tokens;
        }

        @Override
        public int size() {
            return tokens.size();
        }
    }

    static Prompt of(String text) {
        return new Texts(List.of(text));
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Prompt fromJson(Object json) {
        String error = "must be a string, an array of strings, an array of token ids or an array of token-id arrays";
        return switch (json) {
            case String s -> new Texts(List.of(s));
            case List<?> list when list.isEmpty() -> throw new IllegalArgumentException("must not be empty");
            case List<?> list when list.stream().allMatch(String.class::isInstance) ->
                    new Texts(list.stream().map(String.class::cast).toList());
            case List<?> list when list.stream().allMatch(Integer.class::isInstance) -> new Tokens(List.of(toInts(list)));
            case List<?> list when list.stream().allMatch(e -> e instanceof List<?> inner
                    && inner.stream().allMatch(Integer.class::isInstance)) ->
                    new Tokens(list.stream().map(e -> toInts((List<?>) e)).toList());
            default -> throw new IllegalArgumentException(error);
        };
    }

    private static int[] toInts(List<?> list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Integer) list.get(i);
        }
        return out;
    }
}
