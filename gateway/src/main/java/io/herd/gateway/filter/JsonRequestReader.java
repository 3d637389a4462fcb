package io.herd.gateway.filter;

import io.herd.api.common.InvalidRequestException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * JSON body to a request record, turning every Jackson failure into an OpenAI-shaped 400 that names the
 * field: malformed JSON, a wrong type ({@code "temperature":"hot"}), an unknown enum value ({@code role}).
 */
public final class JsonRequestReader {

    private final ObjectMapper mapper;

    public JsonRequestReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw new InvalidRequestException("The request body is empty; send a JSON object.", null);
        }
        if (!startsWithObject(body)) {
            throw new InvalidRequestException("The request body must be a JSON object.", null, "invalid_json", null);
        }
        try {
            return mapper.readValue(body, type);
        } catch (StreamReadException e) {
            throw new InvalidRequestException("Malformed JSON in the request body: " + firstLine(e.getOriginalMessage()), null,
                    "invalid_json", e);
        } catch (DatabindException e) {
            String field = fieldPath(e);
            String reason = e instanceof ValueInstantiationException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getOriginalMessage();
            throw new InvalidRequestException("Invalid value for '" + field + "': " + firstLine(reason), field,
                    "invalid_type", e);
        } catch (JacksonException e) {
            throw new InvalidRequestException("Invalid request: " + firstLine(e.getOriginalMessage()), null, null, e);
        }
    }

    /** One pass instead of a tree first: the body is a JSON object when its first non-blank byte is '{'. */
    private static boolean startsWithObject(byte[] body) {
        for (byte b : body) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return false;
    }

    static String fieldPath(DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!sb.isEmpty()) {
                    sb.append('.');
                }
                sb.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "body" : sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
