package io.herd.engine.chat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Map;

/**
 * JSON laid out as in Meta's prompt-format documentation: four-space indents and {@code "key": value};
 * the Llama 3.1 pages put arrays of scalars on one line ({@code "required": ["n"]}), the Llama 3.2
 * pages one element per line.
 */
final class PrettyJson {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private PrettyJson() {
    }

    static String write(JsonNode node, boolean scalarArraysInline) {
        StringBuilder out = new StringBuilder();
        write(node, 0, scalarArraysInline, out);
        return out.toString();
    }

    /** One line with Python's {@code json.dumps} separators: {@code {"a": 1, "b": [1, 2]}}. */
    static String inline(JsonNode node) {
        StringBuilder out = new StringBuilder();
        inline(node, out);
        return out.toString();
    }

    private static void inline(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            out.append('{');
            int i = 0;
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                out.append(i++ > 0 ? ", " : "").append(MAPPER.writeValueAsString(property.getKey())).append(": ");
                inline(property.getValue(), out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(i > 0 ? ", " : "");
                inline(node.get(i), out);
            }
            out.append(']');
        } else {
            out.append(MAPPER.writeValueAsString(node));
        }
    }

    private static void write(JsonNode node, int depth, boolean scalarArraysInline, StringBuilder out) {
        if (node.isObject()) {
            if (node.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            int i = 0;
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                indent(depth + 1, out);
                out.append(MAPPER.writeValueAsString(property.getKey())).append(": ");
                write(property.getValue(), depth + 1, scalarArraysInline, out);
                out.append(++i < node.size() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append('}');
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.append("[]");
                return;
            }
            boolean scalars = scalarArraysInline;
            for (JsonNode element : node) {
                scalars &= element.isValueNode();
            }
            if (scalars) {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    out.append(i > 0 ? ", " : "").append(MAPPER.writeValueAsString(node.get(i)));
                }
                out.append(']');
                return;
            }
            out.append("[\n");
            for (int i = 0; i < node.size(); i++) {
                indent(depth + 1, out);
                write(node.get(i), depth + 1, scalarArraysInline, out);
                out.append(i + 1 < node.size() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append(']');
        } else {
            out.append(MAPPER.writeValueAsString(node));
        }
    }

    private static void indent(int depth, StringBuilder out) {
        out.append("    ".repeat(depth));
    }
}
