package io.herd.engine.chat;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads tool calls out of generated Llama 3 text, accepting every format Meta documents for
 * Llama 3.1 and 3.2 (a model may answer in another format than the prompt asked for):
 * <ul>
 *   <li>JSON: {@code {"name": ..., "parameters": {...}}} (also {@code "arguments"}), alone or in a list;</li>
 *   <li>{@code <function=name>{...}</function>};</li>
 *   <li>pythonic: {@code [f(a=1, b="x"), g()]};</li>
 *   <li>after {@code <|python_tag|>}: built-in calls {@code brave_search.call(query="...")} and, for any
 *       other text, code for {@code code_interpreter}.</li>
 * </ul>
 * Text that is none of these, or is malformed, stays content.
 */
final class ToolCallParser {

    static final String PYTHON_TAG = "<|python_tag|>";
    static final String CODE_INTERPRETER = "code_interpreter";
    private static final Set<String> END_TOKENS = Set.of("<|eom_id|>", "<|eot_id|>", "<|end_of_text|>");
    private static final Pattern FUNCTION_TAG = Pattern.compile("<function=([^>\\s]+)>(.*?)</function>", Pattern.DOTALL);
    private static final Pattern BUILTIN_CALL = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\.call\\(.*\\)", Pattern.DOTALL);

    private final Supplier<String> ids;

    ToolCallParser(Supplier<String> ids) {
        this.ids = ids;
    }

    AssistantReply parse(String generated) {
        String text = stripEndTokens(generated.strip());
        boolean pythonTag = text.startsWith(PYTHON_TAG);
        String body = pythonTag ? text.substring(PYTHON_TAG.length()).strip() : text;
        Optional<List<ToolCall>> calls = structuredCalls(body);
        if (calls.isPresent()) {
            return new AssistantReply("", calls.get());
        }
        if (pythonTag && !body.isEmpty() && !body.startsWith("{") && !body.startsWith("[") && !body.startsWith("<function=")) {
            ObjectNode arguments = JsonNodeFactory.instance.objectNode();
            arguments.put("code", body);
            return new AssistantReply("", List.of(call(CODE_INTERPRETER, arguments)));
        }
        return AssistantReply.text(pythonTag ? body : text);
    }

    private static String stripEndTokens(String text) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String end : END_TOKENS) {
                if (text.endsWith(end)) {
                    text = text.substring(0, text.length() - end.length()).strip();
                    changed = true;
                }
            }
        }
        return text;
    }

    private Optional<List<ToolCall>> structuredCalls(String body) {
        if (body.startsWith("{")) {
            return json(body);
        }
        if (body.startsWith("[")) {
            Optional<List<ToolCall>> pythonic = PythonCallSyntax.parseCallList(body)
                    .map(list -> list.stream().map(c -> call(c.name(), c.arguments())).toList());
            return pythonic.isPresent() ? pythonic : json(body);
        }
        if (body.startsWith("<function=")) {
            return functionTags(body);
        }
        Matcher builtin = BUILTIN_CALL.matcher(body);
        if (builtin.matches()) {
            return PythonCallSyntax.parseCall(body)
                    .filter(c -> c.name().equals(builtin.group(1) + ".call"))
                    .map(c -> List.of(call(builtin.group(1), c.arguments())));
        }
        return Optional.empty();
    }

    private Optional<List<ToolCall>> json(String body) {
        JsonNode node;
        try {
            node = PrettyJson.MAPPER.readTree(body);
        } catch (JacksonException e) {
            return Optional.empty();
        }
        List<JsonNode> objects = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(objects::add);
        } else {
            objects.add(node);
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode object : objects) {
            Optional<ToolCall> call = jsonCall(object);
            if (call.isEmpty()) {
                return Optional.empty();
            }
            calls.add(call.get());
        }
        return calls.isEmpty() ? Optional.empty() : Optional.of(calls);
    }

    private Optional<ToolCall> jsonCall(JsonNode object) {
        if (!object.isObject()) {
            return Optional.empty();
        }
        // OpenAI-style nesting {"type": "function", "function": {"name", "arguments"}} is accepted too.
        JsonNode function = object.get("function");
        JsonNode source = function != null && function.isObject() ? function : object;
        JsonNode name = source.get("name");
        if (name == null || !name.isString() || name.stringValue().isBlank()) {
            return Optional.empty();
        }
        JsonNode arguments = source.has("parameters") ? source.get("parameters") : source.get("arguments");
        if (arguments == null || arguments.isNull()) {
            arguments = JsonNodeFactory.instance.objectNode();
        }
        if (arguments.isString()) {
            try {
                arguments = PrettyJson.MAPPER.readTree(arguments.stringValue());
            } catch (JacksonException e) {
                return Optional.empty();
            }
        }
        if (!arguments.isObject()) {
            return Optional.empty();
        }
        return Optional.of(call(name.stringValue(), arguments));
    }

    private Optional<List<ToolCall>> functionTags(String body) {
        Matcher matcher = FUNCTION_TAG.matcher(body);
        List<ToolCall> calls = new ArrayList<>();
        int end = 0;
        while (matcher.find()) {
            if (!body.substring(end, matcher.start()).isBlank()) {
                return Optional.empty();
            }
            JsonNode arguments;
            try {
                String json = matcher.group(2).strip();
                arguments = json.isEmpty() ? JsonNodeFactory.instance.objectNode() : PrettyJson.MAPPER.readTree(json);
            } catch (JacksonException e) {
                return Optional.empty();
            }
            if (!arguments.isObject()) {
                return Optional.empty();
            }
            calls.add(call(matcher.group(1), arguments));
            end = matcher.end();
        }
        if (calls.isEmpty() || !body.substring(end).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(calls);
    }

    private ToolCall call(String name, JsonNode arguments) {
        return new ToolCall(ids.get(), name, PrettyJson.MAPPER.writeValueAsString(arguments));
    }
}
