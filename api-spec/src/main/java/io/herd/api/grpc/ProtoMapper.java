package io.herd.api.grpc;

import io.herd.api.grpc.v1.AssistantMessage;
import io.herd.api.grpc.v1.ChatCompletionChoice;
import io.herd.api.grpc.v1.ChatCompletionChunkChoice;
import io.herd.api.grpc.v1.ChatCompletionDelta;
import io.herd.api.grpc.v1.CompletionChoice;
import io.herd.api.grpc.v1.FunctionDefinition;
import io.herd.api.grpc.v1.ImageUrl;
import io.herd.api.grpc.v1.JsonSchemaFormat;
import io.herd.api.grpc.v1.TokenIds;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.ContentPart;
import io.herd.api.inference.EmbeddingsRequest;
import io.herd.api.inference.EmbeddingsResponse;
import io.herd.api.inference.MessageContent;
import io.herd.api.inference.Prompt;
import io.herd.api.inference.ResponseFormat;
import io.herd.api.inference.Role;
import io.herd.api.inference.StreamOptions;
import io.herd.api.inference.Tool;
import io.herd.api.inference.ToolCall;
import io.herd.api.inference.Usage;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.ModelType;
import io.herd.api.models.OpenAIModel;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Converts between the provider SPI records (the REST shapes) and the {@code herd.v1} protobuf messages, in
 * both directions: the gateway and the worker turn proto requests into SPI requests and SPI answers into
 * proto answers; {@code remote::herd-worker} does the reverse. Absent optional fields stay absent.
 */
public final class ProtoMapper {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ProtoMapper() {
    }

    // ---------------------------------------------------------------- chat requests

    public static io.herd.api.grpc.v1.ChatCompletionRequest toProto(ChatCompletionRequest r) {
        var b = io.herd.api.grpc.v1.ChatCompletionRequest.newBuilder();
        if (r.model() != null) b.setModel(r.model());
        if (r.messages() != null) r.messages().forEach(m -> b.addMessages(toProto(m)));
        if (r.temperature() != null) b.setTemperature(r.temperature());
        if (r.topP() != null) b.setTopP(r.topP());
        if (r.maxTokens() != null) b.setMaxTokens(r.maxTokens());
        if (r.maxCompletionTokens() != null) b.setMaxCompletionTokens(r.maxCompletionTokens());
        b.addAllStop(r.stopSequences());
        if (r.seed() != null) b.setSeed(r.seed());
        if (r.frequencyPenalty() != null) b.setFrequencyPenalty(r.frequencyPenalty());
        if (r.presencePenalty() != null) b.setPresencePenalty(r.presencePenalty());
        if (r.n() != null) b.setN(r.n());
        if (r.tools() != null) r.tools().forEach(t -> b.addTools(toProto(t)));
        if (r.toolChoice() != null && !r.toolChoice().isNull()) {
            b.setToolChoice(r.toolChoice().isString() ? r.toolChoice().asString() : JSON.writeValueAsString(r.toolChoice()));
        }
        if (r.responseFormat() != null) b.setResponseFormat(toProto(r.responseFormat()));
        if (r.logprobs() != null) b.setLogprobs(r.logprobs());
        if (r.topLogprobs() != null) b.setTopLogprobs(r.topLogprobs());
        if (r.user() != null) b.setUser(r.user());
        b.setIncludeUsage(r.streamOptions() != null && r.streamOptions().wantsUsage());
        if (!r.extra().isEmpty()) b.setExtraBody(StructConverter.toStruct(r.extra()));
        if (r.logitBias() != null) b.putAllLogitBias(r.logitBias());
        if (r.parallelToolCalls() != null) b.setParallelToolCalls(r.parallelToolCalls());
        return b.build();
    }

    /** The SPI request for a proto request; {@code stream} tells which RPC it came through. */
    public static ChatCompletionRequest fromProto(io.herd.api.grpc.v1.ChatCompletionRequest p, boolean stream) {
        var b = ChatCompletionRequest.builder()
                .model(p.getModel())
                .messages(p.getMessagesList().stream().map(ProtoMapper::fromProto).toList())
                .temperature(p.hasTemperature() ? p.getTemperature() : null)
                .topP(p.hasTopP() ? p.getTopP() : null)
                .maxTokens(p.hasMaxTokens() ? p.getMaxTokens() : null)
                .maxCompletionTokens(p.hasMaxCompletionTokens() ? p.getMaxCompletionTokens() : null)
                .stop(p.getStopCount() == 0 ? null : List.copyOf(p.getStopList()))
                .stream(stream)
                .streamOptions(p.getIncludeUsage() ? new StreamOptions(true) : null)
                .seed(p.hasSeed() ? p.getSeed() : null)
                .n(p.hasN() ? p.getN() : null)
                .logprobs(p.hasLogprobs() ? p.getLogprobs() : null)
                .topLogprobs(p.hasTopLogprobs() ? p.getTopLogprobs() : null)
                .frequencyPenalty(p.hasFrequencyPenalty() ? p.getFrequencyPenalty() : null)
                .presencePenalty(p.hasPresencePenalty() ? p.getPresencePenalty() : null)
                .logitBias(p.getLogitBiasCount() == 0 ? null : Map.copyOf(p.getLogitBiasMap()))
                .tools(p.getToolsCount() == 0 ? null : p.getToolsList().stream().map(ProtoMapper::fromProto).toList())
                .toolChoice(p.getToolChoice().isEmpty() ? null : toolChoice(p.getToolChoice()))
                .parallelToolCalls(p.hasParallelToolCalls() ? p.getParallelToolCalls() : null)
                .responseFormat(p.hasResponseFormat() ? fromProto(p.getResponseFormat()) : null)
                .user(p.getUser().isEmpty() ? null : p.getUser());
        StructConverter.toMap(p.getExtraBody()).forEach(b::extra);
        return b.build();
    }

    private static JsonNode toolChoice(String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("{")) {
            return JSON.readTree(trimmed);
        }
        return NODES.stringNode(trimmed);
    }

    // ---------------------------------------------------------------- messages

    public static io.herd.api.grpc.v1.ChatMessage toProto(ChatMessage m) {
        var b = io.herd.api.grpc.v1.ChatMessage.newBuilder();
        if (m.role() != null) b.setRole(m.role().wireName());
        switch (m.content()) {
            case MessageContent.Text text -> b.setContent(text.value());
            case MessageContent.Parts parts -> parts.parts().forEach(part -> b.addContentParts(toProto(part)));
            case null -> { }
        }
        if (m.name() != null) b.setName(m.name());
        if (m.toolCalls() != null) m.toolCalls().forEach(c -> b.addToolCalls(toProto(c)));
        if (m.toolCallId() != null) b.setToolCallId(m.toolCallId());
        if (m.refusal() != null) b.setRefusal(m.refusal());
        return b.build();
    }

    public static ChatMessage fromProto(io.herd.api.grpc.v1.ChatMessage p) {
        MessageContent content;
        if (p.getContentPartsCount() > 0) {
            content = new MessageContent.Parts(p.getContentPartsList().stream().map(ProtoMapper::fromProto).toList());
        } else {
            content = p.hasContent() ? MessageContent.of(p.getContent()) : null;
        }
        return new ChatMessage(role(p.getRole()), content,
                p.getName().isEmpty() ? null : p.getName(),
                p.getToolCallsCount() == 0 ? null : p.getToolCallsList().stream().map(ProtoMapper::fromProto).toList(),
                p.getToolCallId().isEmpty() ? null : p.getToolCallId(),
                p.hasRefusal() ? p.getRefusal() : null);
    }

    /** A role by wire name; null for an empty or unknown one, which request validation then reports. */
    private static Role role(String wireName) {
        for (Role role : Role.values()) {
            if (role.wireName().equals(wireName.toLowerCase(Locale.ROOT))) {
                return role;
            }
        }
        return null;
    }

    static io.herd.api.grpc.v1.ContentPart toProto(ContentPart part) {
        var b = io.herd.api.grpc.v1.ContentPart.newBuilder();
        if ("image_url".equals(part.type()) && part.imageUrl() != null) {
            var image = ImageUrl.newBuilder();
            if (part.imageUrl().get("url") instanceof String url) image.setUrl(url);
            if (part.imageUrl().get("detail") instanceof String detail) image.setDetail(detail);
            return b.setImageUrl(image).build();
        }
        if ("file".equals(part.type()) && part.file() != null) {
            return b.setFile(StructConverter.toStruct(part.file())).build();
        }
        return b.setText(part.text() == null ? "" : part.text()).build();
    }

    static ContentPart fromProto(io.herd.api.grpc.v1.ContentPart p) {
        return switch (p.getPartCase()) {
            case IMAGE_URL -> {
                Map<String, Object> image = new LinkedHashMap<>();
                image.put("url", p.getImageUrl().getUrl());
                if (!p.getImageUrl().getDetail().isEmpty()) image.put("detail", p.getImageUrl().getDetail());
                yield new ContentPart("image_url", null, image, null);
            }
            case FILE -> new ContentPart("file", null, null, StructConverter.toMap(p.getFile()));
            case TEXT, PART_NOT_SET -> ContentPart.text(p.getText());
        };
    }

    static io.herd.api.grpc.v1.ToolCall toProto(ToolCall c) {
        var b = io.herd.api.grpc.v1.ToolCall.newBuilder();
        if (c.index() != null) b.setIndex(c.index());
        if (c.id() != null) b.setId(c.id());
        if (c.type() != null) b.setType(c.type());
        if (c.function() != null) {
            var f = io.herd.api.grpc.v1.FunctionCall.newBuilder();
            if (c.function().name() != null) f.setName(c.function().name());
            if (c.function().arguments() != null) f.setArguments(c.function().arguments());
            b.setFunction(f);
        }
        return b.build();
    }

    static ToolCall fromProto(io.herd.api.grpc.v1.ToolCall p) {
        ToolCall.FunctionCall function = p.hasFunction()
                ? new ToolCall.FunctionCall(emptyToNull(p.getFunction().getName()), emptyToNull(p.getFunction().getArguments()))
                : null;
        return new ToolCall(p.hasIndex() ? p.getIndex() : null, emptyToNull(p.getId()), emptyToNull(p.getType()), function);
    }

    static io.herd.api.grpc.v1.Tool toProto(Tool t) {
        var b = io.herd.api.grpc.v1.Tool.newBuilder().setType(t.type() == null ? "function" : t.type());
        if (t.function() != null) {
            var f = FunctionDefinition.newBuilder();
            if (t.function().name() != null) f.setName(t.function().name());
            if (t.function().description() != null) f.setDescription(t.function().description());
            if (t.function().parameters() != null) f.setParameters(StructConverter.toStruct(t.function().parameters()));
            if (t.function().strict() != null) f.setStrict(t.function().strict());
            b.setFunction(f);
        }
        return b.build();
    }

    static Tool fromProto(io.herd.api.grpc.v1.Tool p) {
        Tool.FunctionDefinition function = p.hasFunction()
                ? new Tool.FunctionDefinition(emptyToNull(p.getFunction().getName()), emptyToNull(p.getFunction().getDescription()),
                        p.getFunction().hasParameters() ? StructConverter.toJson(p.getFunction().getParameters()) : null,
                        p.getFunction().hasStrict() ? p.getFunction().getStrict() : null)
                : null;
        return new Tool(p.getType().isEmpty() ? "function" : p.getType(), function);
    }

    static io.herd.api.grpc.v1.ResponseFormat toProto(ResponseFormat f) {
        var b = io.herd.api.grpc.v1.ResponseFormat.newBuilder();
        if (f.type() != null) b.setType(f.type());
        JsonNode schema = f.jsonSchema();
        if (schema != null && schema.isObject()) {
            var s = JsonSchemaFormat.newBuilder();
            if (schema.path("name").isString()) s.setName(schema.get("name").asString());
            if (schema.path("description").isString()) s.setDescription(schema.get("description").asString());
            if (schema.path("schema").isObject()) s.setSchema(StructConverter.toStruct(schema.get("schema")));
            if (schema.path("strict").isBoolean()) s.setStrict(schema.get("strict").booleanValue());
            b.setJsonSchema(s);
        }
        return b.build();
    }

    static ResponseFormat fromProto(io.herd.api.grpc.v1.ResponseFormat p) {
        ObjectNode schema = null;
        if (p.hasJsonSchema()) {
            schema = NODES.objectNode();
            JsonSchemaFormat s = p.getJsonSchema();
            if (!s.getName().isEmpty()) schema.put("name", s.getName());
            if (!s.getDescription().isEmpty()) schema.put("description", s.getDescription());
            if (s.hasSchema()) schema.set("schema", StructConverter.toJson(s.getSchema()));
            if (s.hasStrict()) schema.put("strict", s.getStrict());
        }
        return new ResponseFormat(emptyToNull(p.getType()), schema);
    }

    // ---------------------------------------------------------------- chat answers

    public static io.herd.api.grpc.v1.ChatCompletion toProto(ChatCompletion c) {
        var b = io.herd.api.grpc.v1.ChatCompletion.newBuilder()
                .setId(nullToEmpty(c.id())).setObject(nullToEmpty(c.object())).setCreated(c.created())
                .setModel(nullToEmpty(c.model())).setSystemFingerprint(nullToEmpty(c.systemFingerprint()));
        if (c.choices() != null) {
            for (ChatCompletion.Choice choice : c.choices()) {
                var cb = ChatCompletionChoice.newBuilder().setIndex(choice.index())
                        .setFinishReason(nullToEmpty(choice.finishReason()));
                if (choice.message() != null) cb.setMessage(toAssistantProto(choice.message()));
                if (choice.logprobs() != null && choice.logprobs().isObject()) cb.setLogprobs(StructConverter.toStruct(choice.logprobs()));
                b.addChoices(cb);
            }
        }
        if (c.usage() != null) b.setUsage(toProto(c.usage()));
        return b.build();
    }

    public static ChatCompletion fromProto(io.herd.api.grpc.v1.ChatCompletion p) {
        List<ChatCompletion.Choice> choices = new ArrayList<>();
        for (ChatCompletionChoice choice : p.getChoicesList()) {
            choices.add(new ChatCompletion.Choice(choice.getIndex(), fromAssistantProto(choice.getMessage()),
                    emptyToNull(choice.getFinishReason()),
                    choice.hasLogprobs() ? StructConverter.toJson(choice.getLogprobs()) : null));
        }
        return new ChatCompletion(p.getId(), p.getObject().isEmpty() ? ChatCompletion.OBJECT : p.getObject(), p.getCreated(),
                p.getModel(), choices, p.hasUsage() ? fromProto(p.getUsage()) : null, emptyToNull(p.getSystemFingerprint()));
    }

    private static AssistantMessage toAssistantProto(ChatMessage m) {
        var b = AssistantMessage.newBuilder().setRole(m.role() == null ? Role.ASSISTANT.wireName() : m.role().wireName());
        if (m.content() != null) b.setContent(m.content().text());
        if (m.toolCalls() != null) m.toolCalls().forEach(c -> b.addToolCalls(toProto(c)));
        if (m.refusal() != null) b.setRefusal(m.refusal());
        return b.build();
    }

    private static ChatMessage fromAssistantProto(AssistantMessage p) {
        List<ToolCall> calls = p.getToolCallsCount() == 0 ? null : p.getToolCallsList().stream()
                .map(ProtoMapper::fromProto).toList();
        return new ChatMessage(p.getRole().isEmpty() ? Role.ASSISTANT : role(p.getRole()),
                p.hasContent() ? MessageContent.of(p.getContent()) : null, null, calls, null,
                p.hasRefusal() ? p.getRefusal() : null);
    }

    public static io.herd.api.grpc.v1.ChatCompletionChunk toProto(ChatCompletionChunk c) {
        var b = io.herd.api.grpc.v1.ChatCompletionChunk.newBuilder()
                .setId(nullToEmpty(c.id())).setObject(nullToEmpty(c.object())).setCreated(c.created())
                .setModel(nullToEmpty(c.model())).setSystemFingerprint(nullToEmpty(c.systemFingerprint()));
        if (c.choices() != null) {
            for (ChatCompletionChunk.ChunkChoice choice : c.choices()) {
                var cb = ChatCompletionChunkChoice.newBuilder().setIndex(choice.index());
                if (choice.finishReason() != null) cb.setFinishReason(choice.finishReason());
                if (choice.delta() != null) cb.setDelta(toProto(choice.delta()));
                if (choice.logprobs() != null && choice.logprobs().isObject()) cb.setLogprobs(StructConverter.toStruct(choice.logprobs()));
                b.addChoices(cb);
            }
        }
        if (c.usage() != null) b.setUsage(toProto(c.usage()));
        return b.build();
    }

    public static ChatCompletionChunk fromProto(io.herd.api.grpc.v1.ChatCompletionChunk p) {
        List<ChatCompletionChunk.ChunkChoice> choices = new ArrayList<>();
        for (ChatCompletionChunkChoice choice : p.getChoicesList()) {
            choices.add(new ChatCompletionChunk.ChunkChoice(choice.getIndex(), fromProto(choice.getDelta()),
                    choice.hasFinishReason() ? choice.getFinishReason() : null,
                    choice.hasLogprobs() ? StructConverter.toJson(choice.getLogprobs()) : null));
        }
        return new ChatCompletionChunk(p.getId(), p.getObject().isEmpty() ? ChatCompletionChunk.OBJECT : p.getObject(),
                p.getCreated(), p.getModel(), choices, p.hasUsage() ? fromProto(p.getUsage()) : null,
                emptyToNull(p.getSystemFingerprint()));
    }

    static ChatCompletionDelta toProto(ChatCompletionChunk.Delta d) {
        var b = ChatCompletionDelta.newBuilder();
        if (d.role() != null) b.setRole(d.role().wireName());
        if (d.content() != null) b.setContent(d.content());
        if (d.toolCalls() != null) d.toolCalls().forEach(c -> b.addToolCalls(toProto(c)));
        if (d.refusal() != null) b.setRefusal(d.refusal());
        if (d.reasoningContent() != null) b.setReasoningContent(d.reasoningContent());
        return b.build();
    }

    static ChatCompletionChunk.Delta fromProto(ChatCompletionDelta p) {
        return new ChatCompletionChunk.Delta(p.hasRole() ? role(p.getRole()) : null,
                p.hasContent() ? p.getContent() : null,
                p.getToolCallsCount() == 0 ? null : p.getToolCallsList().stream().map(ProtoMapper::fromProto).toList(),
                p.hasRefusal() ? p.getRefusal() : null,
                p.hasReasoningContent() ? p.getReasoningContent() : null);
    }

    public static io.herd.api.grpc.v1.Usage toProto(Usage u) {
        return io.herd.api.grpc.v1.Usage.newBuilder().setPromptTokens(u.promptTokens())
                .setCompletionTokens(u.completionTokens()).setTotalTokens(u.totalTokens()).build();
    }

    public static Usage fromProto(io.herd.api.grpc.v1.Usage p) {
        return new Usage(p.getPromptTokens(), p.getCompletionTokens(), p.getTotalTokens());
    }

    // ---------------------------------------------------------------- text completions

    public static io.herd.api.grpc.v1.CompletionRequest toProto(CompletionRequest r) {
        var b = io.herd.api.grpc.v1.CompletionRequest.newBuilder();
        if (r.model() != null) b.setModel(r.model());
        switch (r.prompt()) {
            case Prompt.Texts texts -> b.addAllPrompt(texts.texts());
            case Prompt.Tokens tokens -> tokens.tokens().forEach(ids -> b.addPromptTokens(tokenIds(ids)));
            case null -> { }
        }
        if (r.maxTokens() != null) b.setMaxTokens(r.maxTokens());
        if (r.temperature() != null) b.setTemperature(r.temperature());
        if (r.topP() != null) b.setTopP(r.topP());
        b.addAllStop(r.stopSequences());
        if (r.seed() != null) b.setSeed(r.seed());
        if (r.echo() != null) b.setEcho(r.echo());
        if (r.n() != null) b.setN(r.n());
        if (r.logprobs() != null) b.setLogprobs(r.logprobs());
        if (r.frequencyPenalty() != null) b.setFrequencyPenalty(r.frequencyPenalty());
        if (r.presencePenalty() != null) b.setPresencePenalty(r.presencePenalty());
        if (r.suffix() != null) b.setSuffix(r.suffix());
        if (r.user() != null) b.setUser(r.user());
        b.setIncludeUsage(r.streamOptions() != null && r.streamOptions().wantsUsage());
        if (!r.extra().isEmpty()) b.setExtraBody(StructConverter.toStruct(r.extra()));
        if (r.bestOf() != null) b.setBestOf(r.bestOf());
        if (r.logitBias() != null) b.putAllLogitBias(r.logitBias());
        return b.build();
    }

    public static CompletionRequest fromProto(io.herd.api.grpc.v1.CompletionRequest p, boolean stream) {
        Prompt prompt = null;
        if (p.getPromptCount() > 0) {
            prompt = new Prompt.Texts(p.getPromptList());
        } else if (p.getPromptTokensCount() > 0) {
            prompt = new Prompt.Tokens(p.getPromptTokensList().stream().map(ProtoMapper::ints).toList());
        }
        return new CompletionRequest(p.getModel(), prompt,
                p.hasBestOf() ? p.getBestOf() : null,
                p.hasEcho() ? p.getEcho() : null,
                p.hasFrequencyPenalty() ? p.getFrequencyPenalty() : null,
                p.getLogitBiasCount() == 0 ? null : Map.copyOf(p.getLogitBiasMap()),
                p.hasLogprobs() ? p.getLogprobs() : null,
                p.hasMaxTokens() ? p.getMaxTokens() : null,
                p.hasN() ? p.getN() : null,
                p.hasPresencePenalty() ? p.getPresencePenalty() : null,
                p.hasSeed() ? p.getSeed() : null,
                p.getStopCount() == 0 ? null : List.copyOf(p.getStopList()),
                stream,
                p.getIncludeUsage() ? new StreamOptions(true) : null,
                p.hasTemperature() ? p.getTemperature() : null,
                p.hasTopP() ? p.getTopP() : null,
                emptyToNull(p.getUser()),
                p.hasSuffix() ? p.getSuffix() : null,
                new LinkedHashMap<>(StructConverter.toMap(p.getExtraBody())));
    }

    public static io.herd.api.grpc.v1.Completion toProto(Completion c) {
        var b = io.herd.api.grpc.v1.Completion.newBuilder()
                .setId(nullToEmpty(c.id())).setObject(nullToEmpty(c.object())).setCreated(c.created())
                .setModel(nullToEmpty(c.model())).setSystemFingerprint(nullToEmpty(c.systemFingerprint()));
        if (c.choices() != null) {
            for (Completion.CompletionChoice choice : c.choices()) {
                var cb = CompletionChoice.newBuilder().setIndex(choice.index()).setText(nullToEmpty(choice.text()));
                if (choice.finishReason() != null) cb.setFinishReason(choice.finishReason());
                if (choice.logprobs() != null && choice.logprobs().isObject()) cb.setLogprobs(StructConverter.toStruct(choice.logprobs()));
                b.addChoices(cb);
            }
        }
        if (c.usage() != null) b.setUsage(toProto(c.usage()));
        return b.build();
    }

    public static Completion fromProto(io.herd.api.grpc.v1.Completion p) {
        List<Completion.CompletionChoice> choices = p.getChoicesList().stream().map(choice -> new Completion.CompletionChoice(
                choice.getIndex(), choice.getText(), choice.hasFinishReason() ? choice.getFinishReason() : null,
                choice.hasLogprobs() ? StructConverter.toJson(choice.getLogprobs()) : null)).toList();
        return new Completion(p.getId(), p.getObject().isEmpty() ? Completion.OBJECT : p.getObject(), p.getCreated(),
                p.getModel(), choices, p.hasUsage() ? fromProto(p.getUsage()) : null, emptyToNull(p.getSystemFingerprint()));
    }

    // ---------------------------------------------------------------- embeddings

    public static io.herd.api.grpc.v1.EmbeddingsRequest toProto(EmbeddingsRequest r) {
        var b = io.herd.api.grpc.v1.EmbeddingsRequest.newBuilder();
        if (r.model() != null) b.setModel(r.model());
        switch (r.input()) {
            case Prompt.Texts texts -> b.addAllInput(texts.texts());
            case Prompt.Tokens tokens -> tokens.tokens().forEach(ids -> b.addInputTokens(tokenIds(ids)));
            case null -> { }
        }
        if (r.dimensions() != null) b.setDimensions(r.dimensions());
        if (r.user() != null) b.setUser(r.user());
        if (!r.extra().isEmpty()) b.setExtraBody(StructConverter.toStruct(r.extra()));
        return b.build();
    }

    public static EmbeddingsRequest fromProto(io.herd.api.grpc.v1.EmbeddingsRequest p) {
        Prompt input = null;
        if (p.getInputCount() > 0) {
            input = new Prompt.Texts(p.getInputList());
        } else if (p.getInputTokensCount() > 0) {
            input = new Prompt.Tokens(p.getInputTokensList().stream().map(ProtoMapper::ints).toList());
        }
        // Vectors always travel as floats over gRPC; base64 is a JSON-only encoding.
        return new EmbeddingsRequest(p.getModel(), input, null, p.hasDimensions() ? p.getDimensions() : null,
                emptyToNull(p.getUser()), new LinkedHashMap<>(StructConverter.toMap(p.getExtraBody())));
    }

    public static io.herd.api.grpc.v1.EmbeddingsResponse toProto(EmbeddingsResponse r) {
        var b = io.herd.api.grpc.v1.EmbeddingsResponse.newBuilder()
                .setObject(nullToEmpty(r.object())).setModel(nullToEmpty(r.model()));
        for (EmbeddingsResponse.Embedding e : r.data()) {
            var eb = io.herd.api.grpc.v1.Embedding.newBuilder().setObject(nullToEmpty(e.object())).setIndex(e.index());
            for (float f : e.embedding()) {
                eb.addEmbedding(f);
            }
            b.addData(eb);
        }
        if (r.usage() != null) {
            b.setUsage(io.herd.api.grpc.v1.Usage.newBuilder().setPromptTokens(r.usage().promptTokens())
                    .setTotalTokens(r.usage().totalTokens()));
        }
        return b.build();
    }

    public static EmbeddingsResponse fromProto(io.herd.api.grpc.v1.EmbeddingsResponse p) {
        List<EmbeddingsResponse.Embedding> data = p.getDataList().stream().map(e -> {
            float[] vector = new float[e.getEmbeddingCount()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = e.getEmbedding(i);
            }
            return new EmbeddingsResponse.Embedding(e.getObject().isEmpty() ? "embedding" : e.getObject(), vector, e.getIndex());
        }).toList();
        return new EmbeddingsResponse(p.getObject().isEmpty() ? "list" : p.getObject(), data, p.getModel(),
                p.hasUsage() ? new EmbeddingsResponse.EmbeddingUsage(p.getUsage().getPromptTokens(), p.getUsage().getTotalTokens()) : null);
    }

    // ---------------------------------------------------------------- models

    public static io.herd.api.grpc.v1.Model toProto(ModelInfo m) {
        return io.herd.api.grpc.v1.Model.newBuilder()
                .setIdentifier(nullToEmpty(m.identifier()))
                .setProviderResourceId(nullToEmpty(m.providerResourceId()))
                .setProviderId(nullToEmpty(m.providerId()))
                .setType("model")
                .setModelType(m.modelType().wireName())
                .setMetadata(StructConverter.toStruct(m.metadata()))
                .setCreated(m.created())
                .setOwnedBy(OpenAIModel.OWNER)
                .build();
    }

    public static ModelInfo fromProto(io.herd.api.grpc.v1.Model p) {
        ModelType type = null;
        for (ModelType t : ModelType.values()) {
            if (t.wireName().equals(p.getModelType())) {
                type = t;
            }
        }
        return new ModelInfo(p.getIdentifier(), emptyToNull(p.getProviderResourceId()), emptyToNull(p.getProviderId()), type,
                StructConverter.toMap(p.getMetadata()), p.getCreated());
    }

    // ---------------------------------------------------------------- helpers

    private static TokenIds tokenIds(int[] ids) {
        var b = TokenIds.newBuilder();
        for (int id : ids) {
            b.addIds(id);
        }
        return b.build();
    }

    private static int[] ints(TokenIds ids) {
        return ids.getIdsList().stream().mapToInt(Integer::intValue).toArray();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
