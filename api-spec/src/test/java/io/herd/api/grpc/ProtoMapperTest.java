package io.herd.api.grpc;

import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.ContentPart;
import io.herd.api.inference.MessageContent;
import io.herd.api.inference.Prompt;
import io.herd.api.inference.ResponseFormat;
import io.herd.api.inference.Role;
import io.herd.api.inference.StreamOptions;
import io.herd.api.inference.Tool;
import io.herd.api.inference.ToolCall;
import io.herd.api.inference.Usage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** SPI -> proto -> SPI must give back what went in: the worker hop may not change a request or an answer. */
class ProtoMapperTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** JSON text: number node types (int vs long) differ after a trip through protobuf's double-only Struct. */
    private static String tree(Object value) {
        JsonNode node = JSON.valueToTree(value);
        return JSON.writeValueAsString(node);
    }

    @Test
    void aRichChatRequestSurvivesTheRoundTrip() {
        String json = """
                {"model":"m","messages":[
                  {"role":"system","content":"be brief"},
                  {"role":"user","content":[{"type":"text","text":"what is"},{"type":"image_url","image_url":{"url":"data:x","detail":"low"}}]},
                  {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"42"}],
                 "temperature":0.5,"top_p":0.9,"max_tokens":7,"stop":["x","y"],"seed":3,"n":1,
                 "frequency_penalty":0.1,"presence_penalty":0.2,"logit_bias":{"12":-1.0},
                 "tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}}],
                 "tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false,
                 "response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"object"},"strict":true}},
                 "stream":true,"stream_options":{"include_usage":true},"user":"u","vendor_option":{"k":[1,"two",true]}}""";
        ChatCompletionRequest original = JSON.readValue(json, ChatCompletionRequest.class);

        ChatCompletionRequest back = ProtoMapper.fromProto(ProtoMapper.toProto(original), true);

        assertThat(tree(back)).isEqualTo(tree(original));
    }

    @Test
    void stringToolChoiceAndPlainRequestsRoundTrip() {
        ChatCompletionRequest plain = ChatCompletionRequest.builder().model("m").messages(ChatMessage.user("hi"))
                .toolChoice(JSON.getNodeFactory().stringNode("auto")).build();
        ChatCompletionRequest back = ProtoMapper.fromProto(ProtoMapper.toProto(plain), false);
        assertThat(back.toolChoice().asString()).isEqualTo("auto");
        assertThat(back.messages()).isEqualTo(plain.messages());
        assertThat(back.temperature()).isNull();
        assertThat(back.streamOptions()).isNull();
        assertThat(back.isStream()).isFalse();
    }

    @Test
    void answersAndChunksRoundTrip() {
        ChatCompletion answer = ChatCompletion.of("id", 5L, "m", List.of(new ChatCompletion.Choice(0,
                ChatMessage.assistant(null, List.of(ToolCall.function("c1", "f", "{}"))), "tool_calls")), Usage.of(3, 4));
        assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(answer))).isEqualTo(answer);

        ChatCompletionChunk role = ChatCompletionChunk.of("id", 5L, "m", new ChatCompletionChunk.ChunkChoice(0,
                ChatCompletionChunk.Delta.role(Role.ASSISTANT), null));
        ChatCompletionChunk tool = ChatCompletionChunk.of("id", 5L, "m", new ChatCompletionChunk.ChunkChoice(0,
                ChatCompletionChunk.Delta.toolCalls(List.of(ToolCall.function("c1", "f", "{\"a\"").withIndex(0))), null));
        ChatCompletionChunk end = ChatCompletionChunk.of("id", 5L, "m", new ChatCompletionChunk.ChunkChoice(0,
                ChatCompletionChunk.Delta.empty(), "stop"));
        ChatCompletionChunk usage = ChatCompletionChunk.usageOnly("id", 5L, "m", Usage.of(1, 2));
        for (ChatCompletionChunk chunk : List.of(role, tool, end, usage)) {
            assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(chunk))).isEqualTo(chunk);
        }

        Completion completion = Completion.of("c", 1L, "m", List.of(new Completion.CompletionChoice(0, "text", null)), null);
        assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(completion))).isEqualTo(completion);
    }

    @Test
    void completionPromptsOfTokensSurvive() {
        CompletionRequest tokens = new CompletionRequest("m", new Prompt.Tokens(List.of(new int[] {1, 2, 3})), null, true, null,
                null, null, 5, null, null, null, List.of("\n"), true, new StreamOptions(true), 0.0, null, null, "end", Map.of());
        CompletionRequest back = ProtoMapper.fromProto(ProtoMapper.toProto(tokens), true);
        assertThat(((Prompt.Tokens) back.prompt()).tokens().getFirst()).containsExactly(1, 2, 3);
        assertThat(tree(back)).isEqualTo(tree(tokens));
    }

    @Test
    void filePartsPassThrough() {
        ChatMessage withFile = new ChatMessage(Role.USER, new MessageContent.Parts(List.of(ContentPart.text("see"),
                new ContentPart("file", null, null, Map.of("file_id", "f-1", "filename", "a.pdf")))), null, null, null, null);
        assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(withFile))).isEqualTo(withFile);
        ResponseFormat text = new ResponseFormat("text", null);
        assertThat(ProtoMapper.fromProto(ProtoMapper.toProto(text))).isEqualTo(text);
        assertThat(Tool.function("f", null, null).function().name()).isEqualTo("f");
    }
}
