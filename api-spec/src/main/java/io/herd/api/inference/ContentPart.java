package io.herd.api.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * One part of a multi-part message: {@code {type:"text",text}}, {@code {type:"image_url",image_url:{url,detail}}}
 * or {@code {type:"file",file:{file_data,file_id,filename}}}. Non-text payloads are kept as maps, because
 * no Herd provider interprets them yet and they must survive a pass-through to a remote provider.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContentPart(
        String type,
        String text,
        @JsonProperty("image_url") Map<String, Object> imageUrl,
        Map<String, Object> file) {

    public static ContentPart text(String text) {
        return new ContentPart("text", text, null, null);
    }

    @SuppressWarnings("unchecked")
    static ContentPart fromJson(Object json) {
        if (!(json instanceof Map<?, ?> map) || !(map.get("type") instanceof String type)) {
            throw new IllegalArgumentException("each content part must be an object with a string 'type'");
        }
        Object text = map.get("text");
        if ("text".equals(type) && !(text instanceof String)) {
            throw new IllegalArgumentException("a content part of type 'text' needs a string 'text'");
        }
        return new ContentPart(type, text instanceof String s ? s : null,
                (Map<String, Object>) map.get("image_url"), (Map<String, Object>) map.get("file"));
    }
}
