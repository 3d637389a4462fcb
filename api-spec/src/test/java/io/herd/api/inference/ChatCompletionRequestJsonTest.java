package io.herd.api.inference;

import io.herd.api.common.InvalidRequestException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChatCompletionRequestJsonTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void readsTheOpenAiShapeWithStringAndPartContentAndKeepsUnknownFields() {
        String body = """
                {"model":"ollama/llama3.2:3b","messages":[
                  {"role":"system","content":"Be brief."},
                  {"role":"user","content":[{"type":"text","text":"Hi "},{"type":"image_url","image_url":{"url":"http://x/y.png"}},{"type":"text","text":"there"}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"42"}],
                 "temperature":0.5,"top_p":0.9,"max_completion_tokens":16,"stop":"END","stream":true,
                 "stream_options":{"include_usage":true},"seed":7,"tool_choice":"auto","guided_choice":["a","b"]}
                """;
        ChatCompletionRequest req = json.readValue(body, ChatCompletionRequest.class).validate();

        assertThat(req.model()).isEqualTo("ollama/llama3.2:3b");
        assertThat(req.messages()).extracting(ChatMessage::role)
                .containsExactly(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL);
        assertThat(req.messages().get(0).content()).isEqualTo(new MessageContent.Text("Be brief."));
        assertThat(req.messages().get(1).text()).isEqualTo("Hi there");
        assertThat(req.messages().get(2).toolCalls().getFirst().function().name()).isEqualTo("f");
        assertThat(req.stopSequences()).containsExactly("END");
        assertThat(req.effectiveMaxTokens()).isEqualTo(16);
        assertThat(req.streamOptions().wantsUsage()).isTrue();
        assertThat(req.toolChoice().asString()).isEqualTo("auto");
        assertThat(req.extra()).containsKey("guided_choice");

        String written = json.writeValueAsString(req.withModel("llama3.2:3b"));
        assertThat(written).contains("\"model\":\"llama3.2:3b\"", "\"guided_choice\":[\"a\",\"b\"]",
                "\"content\":\"Be brief.\"", "\"top_p\":0.9", "\"include_usage\":true", "\"tool_call_id\":\"call_1\"",
                "{\"type\":\"text\",\"text\":\"Hi \"}");
        assertThat(written).doesNotContain("\"extra\"", "\"n\":");
    }

    @Test
    void wrongTypeIsReportedWithTheFieldPath() {
        assertThatThrownBy(() -> json.readValue("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}",
                ChatCompletionRequest.class))
                .isInstanceOf(DatabindException.class)
                .satisfies(e -> assertThat(((DatabindException) e).getPath()).anySatisfy(r -> assertThat(r.getPropertyName()).isEqualTo("temperature")));
        assertThatThrownBy(() -> json.readValue("{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}",
                ChatCompletionRequest.class))
                .isInstanceOf(DatabindException.class);
        assertThatThrownBy(() -> json.readValue("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
                ChatCompletionRequest.class))
                .isInstanceOf(DatabindException.class);
    }

    @Test
    void validationNamesTheField() {
        ChatCompletionRequest.Builder ok = ChatCompletionRequest.builder().model("m").messages(ChatMessage.user("hi"));
        assertThatThrownBy(() -> ok.temperature(2.5).build().validate())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("temperature"));
        assertThatThrownBy(() -> ok.temperature(1.0).maxTokens(-1).build().validate())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("max_tokens"));
        assertThatThrownBy(() -> ChatCompletionRequest.builder().model("m").messages(java.util.List.of()).build().validate())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("messages"));
        assertThatThrownBy(() -> ChatCompletionRequest.builder().model("m")
                .messages(new ChatMessage(Role.TOOL, MessageContent.of("x"), null, null, null, null)).build().validate())
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("messages[0].tool_call_id"));
    }

    @Test
    void promptAcceptsAllFourShapes() {
        assertThat(json.readValue("{\"model\":\"m\",\"prompt\":\"a\"}", CompletionRequest.class).prompt())
                .isInstanceOfSatisfying(Prompt.Texts.class, p -> assertThat(p.texts()).containsExactly("a"));
        assertThat(json.readValue("{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", CompletionRequest.class).prompt().size()).isEqualTo(2);
        assertThat(json.readValue("{\"model\":\"m\",\"prompt\":[1,2,3]}", CompletionRequest.class).prompt())
                .isInstanceOfSatisfying(Prompt.Tokens.class, p -> assertThat(p.tokens().getFirst()).containsExactly(1, 2, 3));
        assertThat(json.readValue("{\"model\":\"m\",\"prompt\":[[1],[2,3]]}", CompletionRequest.class).prompt().size()).isEqualTo(2);
        assertThatThrownBy(() -> json.readValue("{\"model\":\"m\",\"prompt\":{}}", CompletionRequest.class))
                .isInstanceOf(DatabindException.class);
        assertThat(json.writeValueAsString(CompletionRequest.of("m", "hello", 5, null))).contains("\"prompt\":\"hello\"");
    }

    @Test
    void chunkWritesNullFinishReasonAndSnakeCase() {
        ChatCompletionChunk chunk = ChatCompletionChunk.of("c1", 1, "m",
                new ChatCompletionChunk.ChunkChoice(0, ChatCompletionChunk.Delta.role(Role.ASSISTANT), null));
        assertThat(json.writeValueAsString(chunk)).isEqualTo(
                "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}");
        ChatCompletionChunk parsed = json.readValue(json.writeValueAsString(
                ChatCompletionChunk.usageOnly("c1", 1, "m", Usage.of(3, 4))), ChatCompletionChunk.class);
        assertThat(parsed.usage().totalTokens()).isEqualTo(7);
    }
}
