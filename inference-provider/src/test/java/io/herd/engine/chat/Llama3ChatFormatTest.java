package io.herd.engine.chat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Expected prompts are quoted from Meta's llama-models prompt-format pages
 * (models/llama3_1/prompt_format.md and models/llama3_2/text_prompt_format.md).
 */
class Llama3ChatFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Clock SEPTEMBER_21_2024 = Clock.fixed(Instant.parse("2024-09-21T12:00:00Z"), ZoneOffset.UTC);
    private static final Clock SEPTEMBER_24_2024 = Clock.fixed(Instant.parse("2024-09-24T12:00:00Z"), ZoneOffset.UTC);

    private static ChatFormat format(String name, Clock clock) {
        return ChatFormats.byName(name, clock, () -> "call_test");
    }

    private static ToolDefinition tool(String json) {
        return ToolDefinition.fromOpenAi(JSON.readTree("[" + json + "]")).getFirst();
    }

    private static ToolDefinition builtin(String name) {
        return tool("{\"type\": \"function\", \"function\": {\"name\": \"" + name + "\"}}");
    }

    @Test
    void llama31UserAndAssistantConversation() {
        String prompt = format("llama3.1", SEPTEMBER_21_2024).render(List.of(
                ChatMessage.system("You are a helpful assistant"),
                ChatMessage.user("Answer who are you in the form of jeopardy?")), List.of());
        assertThat(prompt).isEqualTo("""
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                You are a helpful assistant<|eot_id|><|start_header_id|>user<|end_header_id|>

                Answer who are you in the form of jeopardy?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void llama31BuiltinToolsGoOnTheToolsLine() {
        String prompt = format("llama3.1", SEPTEMBER_21_2024).render(List.of(
                        ChatMessage.system("You are a helpful assistant."),
                        ChatMessage.user("Search the web for the latest price of 1oz gold?")),
                List.of(builtin("brave_search"), builtin("wolfram_alpha")));
        assertThat(prompt).isEqualTo("""
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                Environment: ipython
                Tools: brave_search, wolfram_alpha
                Cutting Knowledge Date: December 2023
                Today Date: 21 September 2024

                You are a helpful assistant.
                <|eot_id|><|start_header_id|>user<|end_header_id|>

                Search the web for the latest price of 1oz gold?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void llama31BuiltinToolCallAndIpythonResult() {
        String prompt = format("llama3.1", SEPTEMBER_21_2024).render(List.of(
                        ChatMessage.user("What is the 100th decimal of pi?"),
                        ChatMessage.assistant("", List.of(new ToolCall("call_1", "wolfram_alpha", "{\"query\": \"100th decimal of pi\"}"))),
                        ChatMessage.tool("call_1", "{\"queryresult\": {\"success\": true}}")),
                List.of(builtin("brave_search"), builtin("wolfram_alpha")));
        assertThat(prompt).endsWith("""
                What is the 100th decimal of pi?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                <|python_tag|>wolfram_alpha.call(query="100th decimal of pi")<|eom_id|><|start_header_id|>ipython<|end_header_id|>

                {"queryresult": {"success": true}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void llama31CodeInterpreterNeedsOnlyTheEnvironmentLine() {
        String prompt = format("llama3.1", SEPTEMBER_21_2024).render(List.of(
                ChatMessage.user("Write code to check if number is prime, use that to see if the number 7 is prime")), List.of(builtin("code_interpreter")));
        assertThat(prompt).startsWith("""
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                Environment: ipython

                Cutting Knowledge Date: December 2023
                """);
        assertThat(prompt).doesNotContain("Tools:");
    }

    @Test
    void llama31JsonCustomToolsGoInAUserMessageBeforeTheQuestion() {
        ToolDefinition trendingSongs = tool("""
                {"type": "function", "function": {"name": "trending_songs",
                 "description": "Returns the trending songs on a Music site",
                 "parameters": {"type": "object",
                   "properties": {"n": {"type": "integer", "description": "The number of songs to return"},
                                  "genre": {"type": "string", "description": "The genre of the songs to return"}},
                   "required": ["n"]}}}""");
        String prompt = format("llama3.1", SEPTEMBER_21_2024).render(List.of(
                        ChatMessage.system("You are a helpful assistant."),
                        ChatMessage.user("Use tools to get latest trending songs")),
                List.of(trendingSongs));
        String systemAndIntro = """
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                Environment: ipython

                Cutting Knowledge Date: December 2023
                Today Date: 21 September 2024

                You are a helpful assistant.
                <|eot_id|><|start_header_id|>user<|end_header_id|>

                Answer the user's question by making use of the following functions if needed.
                If none of the function can be used, please say so.
                Here is a list of functions in JSON format:
                """;
        String outro = """

                Return function calls in JSON format.<|eot_id|><|start_header_id|>user<|end_header_id|>

                Use tools to get latest trending songs<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """;
        assertThat(prompt).startsWith(systemAndIntro).endsWith(outro);
        // Between them: the OpenAI tool entry, laid out like the documentation's ({"type", "function": {...}}).
        String listed = prompt.substring(systemAndIntro.length(), prompt.length() - outro.length());
        assertThat(listed).startsWith("{\n    \"type\": \"function\",\n    \"function\": {\n        \"name\": \"trending_songs\",");
        assertThat(listed).contains("\"required\": [\"n\"]");
        JsonNode entry = JSON.readTree(listed);
        assertThat(entry.get("function").get("parameters")).isEqualTo(trendingSongs.parameters());
    }

    private static final String GET_WEATHER = """
            {"type": "function", "function": {"name": "get_weather", "description": "Get weather info for places",
             "parameters": {"type": "object", "required": ["city"],
               "properties": {"city": {"type": "string", "description": "The name of the city to get the weather for"},
                              "metric": {"type": "string", "description": "The metric for weather. Options are: celsius, fahrenheit", "default": "celsius"}}}}}""";

    private static final String LLAMA32_SYSTEM_WITH_GET_WEATHER = """
            <|begin_of_text|><|start_header_id|>system<|end_header_id|>

            You are an expert in composing functions. You are given a question and a set of possible functions.
            Based on the question, you will need to make one or more function/tool calls to achieve the purpose.
            If none of the function can be used, point it out. If the given question lacks the parameters required by the function,
            also point it out. You should only return the function call in tools call sections.

            If you decide to invoke any of the function(s), you MUST put it in the format of [func_name1(params_name1=params_value1, params_name2=params_value2...), func_name2(params)]
            You SHOULD NOT include any other text in the response.

            Here is a list of functions in JSON format that you can invoke.

            [
                {
                    "name": "get_weather",
                    "description": "Get weather info for places",
                    "parameters": {
                        "type": "dict",
                        "required": [
                            "city"
                        ],
                        "properties": {
                            "city": {
                                "type": "string",
                                "description": "The name of the city to get the weather for"
                            },
                            "metric": {
                                "type": "string",
                                "description": "The metric for weather. Options are: celsius, fahrenheit",
                                "default": "celsius"
                            }
                        }
                    }
                }
            ]<|eot_id|>""";

    @Test
    void llama32PythonicToolsGoInTheSystemMessage() {
        String prompt = format("llama3.2", SEPTEMBER_24_2024).render(List.of(
                ChatMessage.user("What is the weather in SF and Seattle?")), List.of(tool(GET_WEATHER)));
        assertThat(prompt).isEqualTo(LLAMA32_SYSTEM_WITH_GET_WEATHER + """
                <|start_header_id|>user<|end_header_id|>

                What is the weather in SF and Seattle?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void llama32ToolCallAndResultRoundTrip() {
        String prompt = format("llama3.2", SEPTEMBER_24_2024).render(List.of(
                        ChatMessage.user("What is the weather in SF?"),
                        ChatMessage.assistant("", List.of(new ToolCall("call_1", "get_weather", "{\"city\": \"San Francisco\", \"metric\": \"celsius\"}"))),
                        ChatMessage.tool("call_1", "\"25 C\"")),
                List.of(tool(GET_WEATHER)));
        assertThat(prompt).isEqualTo(LLAMA32_SYSTEM_WITH_GET_WEATHER + """
                <|start_header_id|>user<|end_header_id|>

                What is the weather in SF?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                <|python_tag|>[get_weather(city="San Francisco", metric="celsius")]<|eot_id|><|start_header_id|>ipython<|end_header_id|>

                "25 C"<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void llama32CodeInterpreterPrompt() {
        String prompt = format("llama3.2", SEPTEMBER_24_2024).render(List.of(
                        ChatMessage.user("Write code to check if number is prime. Use it to verify if number 7 is prime")),
                List.of(builtin("code_interpreter")));
        assertThat(prompt).isEqualTo("""
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                Environment: ipython

                Cutting Knowledge Date: December 2023
                Today Date: 24 September 2024
                <|eot_id|><|start_header_id|>user<|end_header_id|>

                Write code to check if number is prime. Use it to verify if number 7 is prime<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void stopTokensAreEndOfTurnEndOfMessageAndEndOfText() {
        assertThat(format("llama3.1", SEPTEMBER_21_2024).stopTokenTexts())
                .containsExactlyInAnyOrder("<|eot_id|>", "<|eom_id|>", "<|end_of_text|>");
    }

    @Test
    void toolCallWithNonObjectArgumentsIsRejectedClearly() {
        ChatFormat format = format("llama3.1", SEPTEMBER_21_2024);
        List<ChatMessage> messages = List.of(ChatMessage.user("hi"),
                ChatMessage.assistant("", List.of(new ToolCall("call_9", "f", "[1, 2"))));
        assertThatThrownBy(() -> format.render(messages, List.of()))
                .isInstanceOf(ChatFormatException.class).hasMessageContaining("call_9").hasMessageContaining("not a JSON object");
    }

    @Test
    void openAiToolsAreValidatedWithThePathOfTheProblem() {
        assertThatThrownBy(() -> ToolDefinition.fromOpenAi(JSON.readTree("[{\"type\": \"function\", \"function\": {}}]")))
                .hasMessage("tools[0].function.name must be a non-empty string");
        assertThatThrownBy(() -> ToolDefinition.fromOpenAi(JSON.readTree("[{\"type\": \"retrieval\"}]")))
                .hasMessage("tools[0].type must be \"function\"");
        assertThatThrownBy(() -> ToolDefinition.fromOpenAi(JSON.readTree("{}")))
                .hasMessageContaining("tools must be an array");
        assertThatThrownBy(() -> ToolDefinition.fromOpenAi(JSON.readTree(
                "[{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": 3}}]")))
                .hasMessage("tools[0].function.parameters must be a JSON schema object");
        ToolDefinition noParameters = ToolDefinition.fromOpenAi(JSON.readTree(
                "[{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]")).getFirst();
        assertThat(noParameters.parameters()).isInstanceOf(ObjectNode.class);
        assertThat(noParameters.parameters().get("type").stringValue()).isEqualTo("object");
    }
}
