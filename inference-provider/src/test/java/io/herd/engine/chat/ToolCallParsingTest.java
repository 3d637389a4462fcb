package io.herd.engine.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model responses quoted from Meta's llama-models prompt-format pages for Llama 3.1 and 3.2
 * ("Model Response Format" sections).
 */
class ToolCallParsingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final AtomicInteger ids = new AtomicInteger();
    private final ChatFormat format = ChatFormats.byName("llama3.2", Clock.systemUTC(), () -> "call_" + ids.incrementAndGet());

    private static JsonNode arguments(ToolCall call) {
        return JSON.readTree(call.arguments());
    }

    @Test
    void builtinBraveSearch() {
        AssistantReply reply = format.parseReply("<|python_tag|>brave_search.call(query=\"latest price of 1oz gold\")<|eom_id|>");
        assertThat(reply.content()).isEmpty();
        assertThat(reply.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("call_1");
            assertThat(call.type()).isEqualTo("function");
            assertThat(call.name()).isEqualTo("brave_search");
            assertThat(arguments(call)).isEqualTo(JSON.readTree("{\"query\": \"latest price of 1oz gold\"}"));
        });
    }

    @Test
    void builtinWolframAlpha() {
        AssistantReply reply = format.parseReply("<|python_tag|>wolfram_alpha.call(query=\"100th decimal of pi\")");
        assertThat(reply.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("wolfram_alpha");
            assertThat(arguments(call).get("query").stringValue()).isEqualTo("100th decimal of pi");
        });
    }

    @Test
    void codeAfterThePythonTagIsForTheCodeInterpreter() {
        String code = """
                def is_prime(n):
                    if n <= 1:
                        return False
                    if n == 2:
                        return True
                    if n % 2 == 0:
                        return False
                    max_divisor = int(n**0.5) + 1
                    for d in range(3, max_divisor, 2):
                        if n % d == 0:
                            return False
                    return True

                print(is_prime(7))  # Output: True""";
        AssistantReply reply = format.parseReply("<|python_tag|>" + code + "<|eom_id|>");
        assertThat(reply.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("code_interpreter");
            assertThat(arguments(call).get("code").stringValue()).isEqualTo(code);
        });
    }

    @Test
    void llama31JsonCall() {
        AssistantReply reply = format.parseReply("""
                <|python_tag|>{
                    "type": "function",
                    "name": "trending_songs",
                    "parameters": {
                        "n": "10",
                        "genre": "all"
                    }
                }<|eom_id|>""");
        assertThat(reply.content()).isEmpty();
        assertThat(reply.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("trending_songs");
            assertThat(arguments(call)).isEqualTo(JSON.readTree("{\"n\": \"10\", \"genre\": \"all\"}"));
        });
    }

    @Test
    void jsonCallWithoutPythonTagAndWithArgumentsAsString() {
        AssistantReply reply = format.parseReply("{\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}");
        assertThat(reply.toolCalls()).singleElement().satisfies(call ->
                assertThat(arguments(call)).isEqualTo(JSON.readTree("{\"city\": \"Paris\"}")));
    }

    @Test
    void llama31FunctionTag() {
        AssistantReply reply = format.parseReply("<function=trending_songs>{\"n\": 10}</function><|eot_id|>");
        assertThat(reply.toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("trending_songs");
            assertThat(arguments(call)).isEqualTo(JSON.readTree("{\"n\": 10}"));
        });
    }

    @Test
    void llama32PythonicCalls() {
        AssistantReply reply = format.parseReply(
                "[get_weather(city='San Francisco', metric='celsius'), get_weather(city='Seattle', metric='celsius')]<|eot_id|>");
        assertThat(reply.content()).isEmpty();
        assertThat(reply.toolCalls()).extracting(ToolCall::name).containsExactly("get_weather", "get_weather");
        assertThat(reply.toolCalls()).extracting(ToolCall::id).containsExactly("call_1", "call_2");
        assertThat(arguments(reply.toolCalls().get(0))).isEqualTo(JSON.readTree("{\"city\": \"San Francisco\", \"metric\": \"celsius\"}"));
        assertThat(arguments(reply.toolCalls().get(1))).isEqualTo(JSON.readTree("{\"city\": \"Seattle\", \"metric\": \"celsius\"}"));
    }

    @Test
    void llama32PythonicCallWithNumberAndPythonTag() {
        AssistantReply reply = format.parseReply("[get_user_info(user_id=7890, special='black')]<|eot_id|>");
        assertThat(arguments(reply.toolCalls().getFirst())).isEqualTo(JSON.readTree("{\"user_id\": 7890, \"special\": \"black\"}"));

        AssistantReply tagged = format.parseReply("<|python_tag|>[get_weather(city=\"San Francisco\", metric=\"celsius\")]<|eot_id|>");
        assertThat(tagged.toolCalls()).singleElement().extracting(ToolCall::name).isEqualTo("get_weather");
    }

    @Test
    void pythonLiteralsBecomeJson() {
        AssistantReply reply = format.parseReply(
                "[f(a=True, b=None, c=[1, 2.5, -3e2], d={'k': 'v\\'q'}, e=(1,), g=\"line\\nbreak\")]");
        assertThat(arguments(reply.toolCalls().getFirst())).isEqualTo(JSON.readTree(
                "{\"a\": true, \"b\": null, \"c\": [1, 2.5, -3e2], \"d\": {\"k\": \"v'q\"}, \"e\": [1], \"g\": \"line\\nbreak\"}"));
    }

    @Test
    void toolCallsTurnAStopIntoToolCallsButNotALengthCut() {
        AssistantReply calls = format.parseReply("[get_weather(city='SF')]");
        assertThat(calls.finishReason(io.herd.engine.generate.FinishReason.STOP)).isEqualTo(io.herd.engine.generate.FinishReason.TOOL_CALLS);
        assertThat(calls.finishReason(io.herd.engine.generate.FinishReason.LENGTH)).isEqualTo(io.herd.engine.generate.FinishReason.LENGTH);
        assertThat(format.parseReply("hello").finishReason(io.herd.engine.generate.FinishReason.STOP))
                .isEqualTo(io.herd.engine.generate.FinishReason.STOP);
    }

    @Test
    void answersStayContent() {
        assertThat(format.parseReply("The 100th decimal of pi is 7.<|eot_id|>"))
                .isEqualTo(AssistantReply.text("The 100th decimal of pi is 7."));
        assertThat(format.parseReply("The weather in San Francisco is 25 C."))
                .isEqualTo(AssistantReply.text("The weather in San Francisco is 25 C."));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "[get_weather(city='San Francisco'",
            "[get_weather('San Francisco')]",
            "[get_weather(city=San Francisco)]",
            "[get_weather(city='SF', city='LA')]",
            "[1, 2, 3]",
            "[]",
            "{\"name\": \"x\", \"parameters\": {",
            "{\"foo\": 1}",
            "{\"name\": \"x\", \"parameters\": [1]}",
            "{\"name\": \"x\", \"arguments\": \"not json\"}",
            "<function=x>{bad}</function>",
            "<function=x>{\"a\": 1}",
            "<function=x>{\"a\": 1}</function> and some words",
            "brave_search.call(query=\"no python tag but fine?\") trailing",
            "[f(a='unterminated)]",
            "[f(a=\\u12)]",
            "[f(a='\\u12')]",
            "",
            "   ",
    })
    void malformedCallsFallBackToContent(String text) {
        AssistantReply reply = format.parseReply(text);
        assertThat(reply.toolCalls()).isEmpty();
        assertThat(reply.content()).isEqualTo(text.strip());
    }

    @Test
    void malformedJsonAfterPythonTagIsContentNotCode() {
        AssistantReply reply = format.parseReply("<|python_tag|>{\"name\": \"x\", \"parameters\": {\"a\"");
        assertThat(reply.toolCalls()).isEmpty();
        assertThat(reply.content()).isEqualTo("{\"name\": \"x\", \"parameters\": {\"a\"");
    }

    @Test
    void parsedCallsRenderBackToTheSameCalls() {
        ChatFormat llama31 = ChatFormats.byName("llama3.1", Clock.systemUTC(), () -> "call_x");
        for (ChatFormat chat : List.of(format, llama31)) {
            for (String generated : List.of("[get_weather(city='San Francisco', metric='celsius')]",
                    "[get_weather(city='SF', days=[1, 2], alerts=True), get_time(zone=None)]")) {
                AssistantReply reply = chat.parseReply(generated);
                String prompt = chat.render(List.of(ChatMessage.user("q"), reply.toMessage()), List.of());
                String assistantTurn = prompt.substring(prompt.indexOf("<|python_tag|>"), prompt.lastIndexOf("<|start_header_id|>"));
                AssistantReply reparsed = chat.parseReply(assistantTurn);
                assertThat(reparsed.toolCalls()).extracting(ToolCall::name)
                        .containsExactlyElementsOf(reply.toolCalls().stream().map(ToolCall::name).toList());
                for (int i = 0; i < reply.toolCalls().size(); i++) {
                    assertThat(arguments(reparsed.toolCalls().get(i))).isEqualTo(arguments(reply.toolCalls().get(i)));
                }
            }
        }
    }
}
