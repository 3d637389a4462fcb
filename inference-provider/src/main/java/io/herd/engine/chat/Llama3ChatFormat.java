package io.herd.engine.chat;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Llama 3, 3.1 and 3.2 chat: {@code <|begin_of_text|>} then for every message
 * {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}, tool results under the
 * {@code ipython} role, and an open assistant header at the end. Tools follow Meta's llama-models
 * prompt formats: {@link ToolStyle#JSON} (Llama 3.1: {@code Environment: ipython} in the system
 * message, the functions as JSON in a user message, calls as {@code {"name", "parameters"}}) or
 * {@link ToolStyle#PYTHONIC} (Llama 3.2: functions in the system message, calls as
 * {@code [f(a=1)]}). Built-in tools (brave_search, wolfram_alpha, code_interpreter, photogen) are
 * switched on through the system message's {@code Tools:} line in both.
 */
public final class Llama3ChatFormat implements ChatFormat {

    public enum ToolStyle { JSON, PYTHONIC }

    static final String BEGIN_OF_TEXT = "<|begin_of_text|>";
    static final String START_HEADER = "<|start_header_id|>";
    static final String END_HEADER = "<|end_header_id|>";
    static final String EOT = "<|eot_id|>";
    static final String EOM = "<|eom_id|>";
    static final String END_OF_TEXT = "<|end_of_text|>";
    static final Set<String> BUILTIN_TOOLS = Set.of("brave_search", "wolfram_alpha", "code_interpreter", "photogen");

    private static final DateTimeFormatter TODAY = DateTimeFormatter.ofPattern("dd MMMM yyyy", Locale.ENGLISH);
    private static final String KNOWLEDGE_CUTOFF = "Cutting Knowledge Date: December 2023\n";
    private static final String JSON_TOOLS_INTRO = """
            Answer the user's question by making use of the following functions if needed.
            If none of the function can be used, please say so.
            Here is a list of functions in JSON format:
            """;
    private static final String JSON_TOOLS_OUTRO = "\nReturn function calls in JSON format.";
    private static final String PYTHONIC_TOOLS_PROMPT = """
            You are an expert in composing functions. You are given a question and a set of possible functions.
            Based on the question, you will need to make one or more function/tool calls to achieve the purpose.
            If none of the function can be used, point it out. If the given question lacks the parameters required by the function,
            also point it out. You should only return the function call in tools call sections.

            If you decide to invoke any of the function(s), you MUST put it in the format of [func_name1(params_name1=params_value1, params_name2=params_value2...), func_name2(params)]
            You SHOULD NOT include any other text in the response.

            Here is a list of functions in JSON format that you can invoke.

            """;

    private final String name;
    private final ToolStyle toolStyle;
    private final Clock clock;
    private final ToolCallParser parser;

    public Llama3ChatFormat(String name, ToolStyle toolStyle, Clock clock, Supplier<String> toolCallIds) {
        this.name = name;
        this.toolStyle = toolStyle;
        this.clock = clock;
        this.parser = new ToolCallParser(toolCallIds);
    }

    @Override
    public String name() {
        return name;
    }

    public ToolStyle toolStyle() {
        return toolStyle;
    }

    @Override
    public List<String> stopTokenTexts() {
        return List.of(EOT, EOM, END_OF_TEXT);
    }

    @Override
    public AssistantReply parseReply(String generated) {
        return parser.parse(generated);
    }

    @Override
    public String render(List<ChatMessage> messages, List<ToolDefinition> tools) {
        List<String> builtin = new ArrayList<>();
        List<ToolDefinition> custom = new ArrayList<>();
        for (ToolDefinition tool : tools) {
            if (BUILTIN_TOOLS.contains(tool.name())) {
                builtin.add(tool.name());
            } else {
                custom.add(tool);
            }
        }
        List<ChatMessage> rest = new ArrayList<>(messages);
        String systemText = !rest.isEmpty() && rest.getFirst().role() == Role.SYSTEM ? rest.removeFirst().content().strip() : "";

        StringBuilder prompt = new StringBuilder(BEGIN_OF_TEXT);
        String system = tools.isEmpty() ? systemText : systemWithTools(systemText, builtin, custom);
        if (!system.isEmpty()) {
            turn(prompt, "system", system, EOT);
        }
        boolean toolsInUserMessage = toolStyle == ToolStyle.JSON && !custom.isEmpty();
        for (ChatMessage message : rest) {
            if (toolsInUserMessage && message.role() == Role.USER) {
                turn(prompt, "user", jsonToolsPrompt(custom), EOT);
                toolsInUserMessage = false;
            }
            switch (message.role()) {
                case SYSTEM -> turn(prompt, "system", message.content().strip(), EOT);
                case USER -> turn(prompt, "user", message.content().strip(), EOT);
                case TOOL -> turn(prompt, "ipython", message.content().strip(), EOT);
                case ASSISTANT -> assistantTurn(prompt, message);
            }
        }
        if (toolsInUserMessage) {
            turn(prompt, "user", jsonToolsPrompt(custom), EOT);
        }
        prompt.append(START_HEADER).append("assistant").append(END_HEADER).append("\n\n");
        return prompt.toString();
    }

    private static void turn(StringBuilder prompt, String role, String content, String end) {
        prompt.append(START_HEADER).append(role).append(END_HEADER).append("\n\n").append(content).append(end);
    }

    private String systemWithTools(String systemText, List<String> builtin, List<ToolDefinition> custom) {
        StringBuilder system = new StringBuilder();
        boolean environment = !builtin.isEmpty() || (toolStyle == ToolStyle.JSON && !custom.isEmpty());
        if (environment) {
            // code_interpreter needs no Tools: entry: "Environment: ipython" alone turns it on.
            List<String> listed = builtin.stream().filter(t -> !t.equals(ToolCallParser.CODE_INTERPRETER)).toList();
            system.append("Environment: ipython\n");
            system.append(listed.isEmpty() ? "\n" : "Tools: " + String.join(", ", listed) + "\n");
            system.append(KNOWLEDGE_CUTOFF).append("Today Date: ").append(LocalDate.now(clock).format(TODAY)).append('\n');
        }
        if (toolStyle == ToolStyle.PYTHONIC && !custom.isEmpty()) {
            system.append(environment ? "\n" : "").append(PYTHONIC_TOOLS_PROMPT).append(pythonicFunctionList(custom));
            if (!systemText.isEmpty()) {
                system.append("\n\n").append(systemText);
            }
        } else if (!systemText.isEmpty()) {
            system.append('\n').append(systemText).append('\n');
        }
        return system.toString();
    }

    private static String jsonToolsPrompt(List<ToolDefinition> custom) {
        StringBuilder prompt = new StringBuilder(JSON_TOOLS_INTRO);
        for (ToolDefinition tool : custom) {
            ObjectNode entry = JsonNodeFactory.instance.objectNode();
            entry.put("type", "function");
            ObjectNode function = entry.putObject("function");
            function.put("name", tool.name());
            function.put("description", tool.description());
            function.set("parameters", tool.parameters());
            prompt.append(PrettyJson.write(entry, true)).append('\n');
        }
        return prompt.append(JSON_TOOLS_OUTRO).toString();
    }

    /** Meta's layout: parameters as {@code {"type": "dict", "required": [...], "properties": {...}}}. */
    private static String pythonicFunctionList(List<ToolDefinition> custom) {
        var list = JsonNodeFactory.instance.arrayNode();
        for (ToolDefinition tool : custom) {
            ObjectNode function = list.addObject();
            function.put("name", tool.name());
            function.put("description", tool.description());
            ObjectNode parameters = function.putObject("parameters");
            parameters.put("type", "dict");
            var required = parameters.putArray("required");
            tool.requiredParameters().forEach(required::add);
            JsonNode properties = tool.parameters().get("properties");
            parameters.set("properties", properties == null ? JsonNodeFactory.instance.objectNode() : properties.deepCopy());
            for (Map.Entry<String, JsonNode> other : tool.parameters().properties()) {
                if (!Set.of("type", "required", "properties").contains(other.getKey())) {
                    parameters.set(other.getKey(), other.getValue().deepCopy());
                }
            }
        }
        return PrettyJson.write(list, false);
    }

    private void assistantTurn(StringBuilder prompt, ChatMessage message) {
        if (message.toolCalls().isEmpty()) {
            turn(prompt, "assistant", message.content().strip(), EOT);
            return;
        }
        StringBuilder content = new StringBuilder(message.content().strip()).append(ToolCallParser.PYTHON_TAG);
        boolean anyBuiltin = message.toolCalls().stream().anyMatch(c -> BUILTIN_TOOLS.contains(c.name()));
        if (toolStyle == ToolStyle.PYTHONIC && !anyBuiltin) {
            content.append('[');
            for (int i = 0; i < message.toolCalls().size(); i++) {
                ToolCall call = message.toolCalls().get(i);
                content.append(i > 0 ? ", " : "").append(PythonCallSyntax.renderCall(call.name(), arguments(call)));
            }
            content.append(']');
        } else if (!anyBuiltin && message.toolCalls().size() > 1) {
            // Meta documents one JSON call per message; several go in a JSON list, which parseReply reads back.
            content.append('[');
            for (int i = 0; i < message.toolCalls().size(); i++) {
                content.append(i > 0 ? ", " : "").append(renderCall(message.toolCalls().get(i)));
            }
            content.append(']');
        } else {
            for (int i = 0; i < message.toolCalls().size(); i++) {
                content.append(i > 0 ? "\n" : "").append(renderCall(message.toolCalls().get(i)));
            }
        }
        // Built-in and JSON calls end the message with <|eom_id|> (the turn goes on with the tool's answer); Meta's
        // Llama 3.2 examples end pythonic calls with <|eot_id|>.
        String end = toolStyle == ToolStyle.PYTHONIC && !anyBuiltin ? EOT : EOM;
        turn(prompt, "assistant", content.toString(), end);
    }

    private static String renderCall(ToolCall call) {
        JsonNode arguments = arguments(call);
        if (call.name().equals(ToolCallParser.CODE_INTERPRETER)) {
            JsonNode code = arguments.get("code");
            return code != null && code.isString() ? code.stringValue() : PrettyJson.inline(arguments);
        }
        if (BUILTIN_TOOLS.contains(call.name())) {
            return PythonCallSyntax.renderCall(call.name() + ".call", arguments);
        }
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("type", "function");
        json.put("name", call.name());
        json.set("parameters", arguments);
        return PrettyJson.inline(json);
    }

    private static JsonNode arguments(ToolCall call) {
        try {
            JsonNode arguments = PrettyJson.MAPPER.readTree(call.arguments());
            if (arguments.isObject()) {
                return arguments;
            }
        } catch (JacksonException e) {
            // reported below
        }
        throw new ChatFormatException("tool call " + call.id() + " (" + call.name() + ") has arguments that are not a JSON object: "
                + call.arguments());
    }
}
