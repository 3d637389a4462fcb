package io.herd.provider.inline;

import io.herd.api.common.ContextLengthExceededException;
import io.herd.api.common.InternalServerException;
import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.common.OverloadedException;
import io.herd.api.inference.ChatCompletion;
import io.herd.api.inference.ChatCompletionChunk;
import io.herd.api.inference.ChatCompletionChunk.ChunkChoice;
import io.herd.api.inference.ChatCompletionChunk.Delta;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Completion;
import io.herd.api.inference.CompletionRequest;
import io.herd.api.inference.ContentPart;
import io.herd.api.inference.FinishReason;
import io.herd.api.inference.InferenceProvider;
import io.herd.api.inference.MessageContent;
import io.herd.api.inference.Prompt;
import io.herd.api.inference.Role;
import io.herd.api.inference.ToolCall;
import io.herd.api.inference.Usage;
import io.herd.api.models.ModelInfo;
import io.herd.api.models.RegisteredModel;
import io.herd.api.providers.ProviderHealth;
import io.herd.engine.batch.BatchScheduler;
import io.herd.engine.batch.GenerationHandle;
import io.herd.engine.batch.GenerationListener;
import io.herd.engine.batch.SchedulerConfig;
import io.herd.engine.batch.SchedulerFullException;
import io.herd.engine.batch.SchedulerStats;
import io.herd.engine.chat.AssistantReply;
import io.herd.engine.chat.ChatFormat;
import io.herd.engine.chat.ChatFormatException;
import io.herd.engine.chat.ChatFormats;
import io.herd.engine.chat.ToolDefinition;
import io.herd.engine.generate.Generation;
import io.herd.engine.generate.GenerationRequest;
import io.herd.engine.generate.Generator;
import io.herd.engine.generate.InvalidSamplingParameterException;
import io.herd.engine.generate.SamplingParameters;
import io.herd.engine.model.BatchedLanguageModel;
import io.herd.engine.model.KvBlocks;
import io.herd.engine.model.LanguageModel;
import io.herd.engine.tokenizer.Tokenizer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code inline::herd}: Herd's own engine, in the server process. Each registered model's
 * {@code provider_model_id} is a GGUF file (or a llama2.c checkpoint with its {@code tokenizer.bin} beside it),
 * loaded at start; {@code metadata.chat_format} forces a chat format. Chats are rendered with the model's chat format.
 *
 * <p>A model that supports batched forward passes (Llama) gets one {@link BatchScheduler}: every request for it
 * joins a continuous batch over a paged KV cache, prompts sharing a prefix reuse its cached keys and values, and
 * a request that finds the queue full is refused with an {@link OverloadedException} carrying a retry-after.
 * Other models generate one sequence per worker of a bounded pool, the next token computed only when the client
 * has taken the previous one. Either way a cancelled subscription ends the generation before its next token.
 */
public final class HerdInferenceProvider implements InferenceProvider {

    private final String providerId;
    private final Map<String, LoadedModel> models = new LinkedHashMap<>();
    private final Scheduler workers;
    private final JsonMapper mapper = JsonMapper.builder().build();

    public HerdInferenceProvider(String providerId, HerdInlineConfig config, List<RegisteredModel> registered,
                                 ModelOpener opener) {
        this.providerId = providerId;
        try {
            for (RegisteredModel m : registered) {
                models.put(m.providerModelId(), load(m, config, opener));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.workers = Schedulers.newBoundedElastic(config.maxConcurrentGenerations(), 10_000, "herd-inline-" + providerId);
    }

    private static LoadedModel load(RegisteredModel m, HerdInlineConfig config, ModelOpener opener) {
        Path file = Path.of(m.providerModelId());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model '" + m.modelId() + "': provider_model_id '" + m.providerModelId()
                    + "' is not a model file (expected the path of a GGUF file or llama2.c checkpoint)");
        }
        LanguageModel model;
        try {
            model = opener.open(file, config.threads());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("model '" + m.modelId() + "': cannot load " + file + ": " + e.getMessage(), e);
        }
        String formatName = m.metadata().get("chat_format") instanceof String s ? s : config.chatFormat();
        ChatFormat format;
        try {
            format = formatName == null ? ChatFormats.forModel(model) : ChatFormats.byName(formatName);
        } catch (ChatFormatException e) {
            model.close();
            throw new IllegalArgumentException("model '" + m.modelId() + "': " + e.getMessage(), e);
        }
        int context = config.contextLength() == 0 ? model.maxContextLength()
                : Math.min(config.contextLength(), model.maxContextLength());
        if (!(model instanceof BatchedLanguageModel batched)) {
            return new LoadedModel(m, model, new Generator(model), null, format, context);
        }
        try {
            SchedulerConfig schedulerConfig = schedulerConfig(config, batched, context);
            long blockBytes = KvBlocks.bytesPerBlock(batched.configuration(), schedulerConfig.blockSize());
            long cachePositions = schedulerConfig.kvBudgetBytes() / blockBytes * schedulerConfig.blockSize();
            // A request reserves the KV of its whole prompt and max_tokens up front, so its context is what the cache holds.
            int servedContext = (int) Math.min(context, cachePositions);
            BatchScheduler scheduler = new BatchScheduler(batched, schedulerConfig);
            if (config.warmup()) {
                BackgroundWarmUp.start(m.modelId(), batched, scheduler, servedContext, schedulerConfig.maxRunning());
            }
            return new LoadedModel(m, model, null, scheduler, format, servedContext);
        } catch (RuntimeException | OutOfMemoryError e) {
            model.close();
            throw new IllegalArgumentException("model '" + m.modelId() + "': cannot set up its batch scheduler: "
                    + e.getMessage(), e);
        }
    }

    /** The configured scheduler limits; an unset KV budget holds a few full contexts, within a cap. */
    static SchedulerConfig schedulerConfig(HerdInlineConfig config, BatchedLanguageModel model, int context) {
        long budget = config.kvCacheBytes();
        if (budget == 0) {
            long blockBytes = KvBlocks.bytesPerBlock(model.configuration(), SchedulerConfig.DEFAULT_BLOCK_SIZE);
            long blocksPerContext = (context + SchedulerConfig.DEFAULT_BLOCK_SIZE - 1) / SchedulerConfig.DEFAULT_BLOCK_SIZE;
            long wanted = blocksPerContext * HerdInlineConfig.DEFAULT_CONTEXTS_IN_CACHE * blockBytes;
            budget = Math.max(blockBytes, Math.min(wanted, HerdInlineConfig.DEFAULT_KV_CAP_MIB << 20));
        }
        return SchedulerConfig.withBudget(budget)
                .withMaxRunning(config.maxRunning())
                .withMaxWaiting(config.maxWaiting())
                .withMaxStepTokens(config.maxStepTokens())
                .withPrefixCaching(config.prefixCache());
    }

    private LoadedModel model(String providerModelId) {
        LoadedModel m = models.get(providerModelId);
        if (m == null) {
            throw new NotFoundException("Model '" + providerModelId + "' is not loaded by provider '" + providerId + "'",
                    "model_not_found", "model");
        }
        return m;
    }

    // ---- chat ----

    /** Everything needed to run one chat request, prepared before any token is computed. */
    private record ChatPlan(LoadedModel model, GenerationRequest generation, boolean tools) {
    }

    private ChatPlan planChat(ChatCompletionRequest request) {
        LoadedModel m = model(request.model());
        if (request.n() != null && request.n() > 1) {
            throw new InvalidRequestException("inline::herd generates one choice per request; 'n' must be 1", "n");
        }
        List<io.herd.engine.chat.ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < request.messages().size(); i++) {
            messages.add(toEngine(request.messages().get(i), i));
        }
        List<ToolDefinition> tools;
        int[] prompt;
        try {
            JsonNode toolsJson = request.tools() == null ? null : mapper.valueToTree(request.tools());
            tools = "none".equals(request.toolChoice() == null ? null : request.toolChoice().asString(null))
                    ? List.of() : ToolDefinition.fromOpenAi(toolsJson);
            prompt = m.chatFormat().encode(m.model().tokenizer(), messages, tools);
        } catch (ChatFormatException e) {
            throw new InvalidRequestException(e.getMessage(), "messages");
        }
        Integer maxTokens = request.effectiveMaxTokens();
        SamplingParameters sampling = sampling(m, prompt.length, maxTokens, request.temperature(), request.topP(),
                request.frequencyPenalty(), request.presencePenalty(), request.seed(), request.stopSequences(),
                maxTokens == null ? null : (request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens"));
        GenerationRequest generation = new GenerationRequest(prompt, sampling, m.chatFormat().stopTokens(m.model().tokenizer()),
                !tools.isEmpty(), m.contextLength());
        return new ChatPlan(m, generation, !tools.isEmpty());
    }

    private static io.herd.engine.chat.ChatMessage toEngine(ChatMessage message, int index) {
        if (message.content() instanceof MessageContent.Parts parts) {
            for (ContentPart part : parts.parts()) {
                if (!"text".equals(part.type())) {
                    throw new InvalidRequestException("messages[" + index + "].content: '" + part.type()
                            + "' parts are not supported by inline::herd models (text only)", "messages[" + index + "].content");
                }
            }
        }
        io.herd.engine.chat.Role role = switch (message.role()) {
            case SYSTEM, DEVELOPER -> io.herd.engine.chat.Role.SYSTEM;
            case USER -> io.herd.engine.chat.Role.USER;
            case ASSISTANT -> io.herd.engine.chat.Role.ASSISTANT;
            case TOOL -> io.herd.engine.chat.Role.TOOL;
        };
        List<io.herd.engine.chat.ToolCall> calls = message.toolCalls() == null ? List.of() : message.toolCalls().stream()
                .map(c -> new io.herd.engine.chat.ToolCall(c.id() == null ? "" : c.id(),
                        c.function() == null || c.function().name() == null ? "" : c.function().name(),
                        c.function() == null || c.function().arguments() == null ? "{}" : c.function().arguments()))
                .toList();
        try {
            return new io.herd.engine.chat.ChatMessage(role, message.text(), calls, message.toolCallId());
        } catch (ChatFormatException e) {
            throw new InvalidRequestException("messages[" + index + "]: " + e.getMessage(), "messages[" + index + "]");
        }
    }

    private SamplingParameters sampling(LoadedModel m, int promptTokens, Integer maxTokens, Double temperature, Double topP,
                                        Double frequencyPenalty, Double presencePenalty, Long seed, List<String> stop,
                                        String maxTokensField) {
        int context = m.contextLength();
        if (promptTokens >= context) {
            throw new ContextLengthExceededException(promptTokens, context, "messages");
        }
        int room = context - promptTokens;
        try {
            return SamplingParameters.builder()
                    .temperature(temperature == null ? 1.0 : temperature)
                    .topP(topP == null ? 1.0 : topP)
                    .frequencyPenalty(frequencyPenalty == null ? 0 : frequencyPenalty)
                    .presencePenalty(presencePenalty == null ? 0 : presencePenalty)
                    .seed(seed)
                    .stop(stop)
                    .maxTokens(maxTokens == null ? room : Math.min(maxTokens, room))
                    .build();
        } catch (InvalidSamplingParameterException e) {
            throw new InvalidRequestException(e.getMessage(), maxTokensField != null && e.field().equals("maxTokens")
                    ? maxTokensField : e.field());
        }
    }

    @Override
    public Mono<ChatCompletion> chatCompletion(ChatCompletionRequest request) {
        return Mono.defer(() -> {
            ChatPlan plan = planChat(request);
            String id = newId("chatcmpl-");
            long created = Instant.now().getEpochSecond();
            return run(plan.model(), plan.generation()).collectList().map(pieces -> {
                Piece last = pieces.isEmpty() ? null : pieces.getLast();
                StringBuilder text = new StringBuilder();
                pieces.forEach(p -> text.append(p.text()));
                String finish = last == null ? FinishReason.STOP : last.finishReason();
                ChatMessage message;
                if (plan.tools()) {
                    AssistantReply reply = plan.model().chatFormat().parseReply(text.toString());
                    message = ChatMessage.assistant(reply.hasToolCalls() && reply.content().isEmpty() ? null : reply.content(),
                            toApi(reply));
                    if (reply.hasToolCalls()) {
                        finish = FinishReason.TOOL_CALLS;
                    }
                } else {
                    message = ChatMessage.assistant(text.toString());
                }
                Usage usage = last == null ? Usage.of(plan.generation().promptTokens().length, 0) : last.usage();
                return ChatCompletion.of(id, created, request.model(),
                        List.of(new ChatCompletion.Choice(0, message, finish)), usage);
            });
        });
    }

    @Override
    public Flux<ChatCompletionChunk> streamChatCompletion(ChatCompletionRequest request) {
        return Flux.defer(() -> {
            ChatPlan plan = planChat(request);
            String id = newId("chatcmpl-");
            long created = Instant.now().getEpochSecond();
            String model = request.model();
            boolean wantsUsage = request.streamOptions() != null && request.streamOptions().wantsUsage();
            StringBuilder toolText = new StringBuilder();
            // Prefetch 1: the next token is computed only when the client has taken the previous one.
            Flux<ChatCompletionChunk> body = run(plan.model(), plan.generation()).concatMapIterable(piece -> {
                List<ChatCompletionChunk> out = new ArrayList<>(3);
                if (plan.tools()) {
                    // Tool calls can only be recognised in the whole reply, so it is held back until the end.
                    toolText.append(piece.text());
                } else if (!piece.text().isEmpty()) {
                    out.add(ChatCompletionChunk.of(id, created, model, new ChunkChoice(0, Delta.content(piece.text()), null)));
                }
                if (piece.finishReason() != null) {
                    String finish = piece.finishReason();
                    if (plan.tools()) {
                        AssistantReply reply = plan.model().chatFormat().parseReply(toolText.toString());
                        if (!reply.content().isEmpty()) {
                            out.add(ChatCompletionChunk.of(id, created, model, new ChunkChoice(0, Delta.content(reply.content()), null)));
                        }
                        if (reply.hasToolCalls()) {
                            List<ToolCall> calls = toApi(reply);
                            List<ToolCall> indexed = new ArrayList<>();
                            for (int i = 0; i < calls.size(); i++) {
                                indexed.add(calls.get(i).withIndex(i));
                            }
                            out.add(ChatCompletionChunk.of(id, created, model, new ChunkChoice(0, Delta.toolCalls(indexed), null)));
                            finish = FinishReason.TOOL_CALLS;
                        }
                    }
                    out.add(ChatCompletionChunk.of(id, created, model, new ChunkChoice(0, Delta.empty(), finish)));
                    if (wantsUsage) {
                        out.add(ChatCompletionChunk.usageOnly(id, created, model, piece.usage()));
                    }
                }
                return out;
            }, 1);
            return Flux.just(ChatCompletionChunk.of(id, created, model, new ChunkChoice(0, Delta.role(Role.ASSISTANT), null)))
                    .concatWith(body);
        });
    }

    private static List<ToolCall> toApi(AssistantReply reply) {
        return reply.toolCalls().stream().map(c -> ToolCall.function(c.id(), c.name(), c.arguments())).toList();
    }

    // ---- text completion ----

    private record CompletionPlan(LoadedModel model, GenerationRequest generation) {
    }

    private CompletionPlan planCompletion(CompletionRequest request) {
        LoadedModel m = model(request.model());
        if (request.prompt().size() != 1 || (request.n() != null && request.n() > 1)) {
            throw new InvalidRequestException("inline::herd completes one prompt per request", "prompt");
        }
        if (request.echo() != null && request.echo()) {
            throw new InvalidRequestException("'echo' is not supported by inline::herd", "echo");
        }
        Tokenizer tokenizer = m.model().tokenizer();
        int[] prompt = switch (request.prompt()) {
            case Prompt.Texts t -> tokenizer.encode(t.texts().getFirst(), tokenizer.addsBosByDefault(), false);
            case Prompt.Tokens t -> t.tokens().getFirst();
        };
        if (prompt.length == 0) {
            throw new InvalidRequestException("'prompt' is empty", "prompt");
        }
        for (int token : prompt) {
            if (token < 0 || token >= m.model().vocabularySize()) {
                throw new InvalidRequestException("'prompt' token " + token + " is outside the vocabulary of "
                        + m.model().vocabularySize(), "prompt");
            }
        }
        SamplingParameters sampling = sampling(m, prompt.length, request.maxTokens() == null ? 16 : request.maxTokens(),
                request.temperature(), request.topP(), request.frequencyPenalty(), request.presencePenalty(),
                request.seed(), request.stopSequences(), "max_tokens");
        return new CompletionPlan(m, new GenerationRequest(prompt, sampling, null, false, m.contextLength()));
    }

    @Override
    public Mono<Completion> completion(CompletionRequest request) {
        return Mono.defer(() -> {
            CompletionPlan plan = planCompletion(request);
            return run(plan.model(), plan.generation()).collectList().map(pieces -> {
                StringBuilder text = new StringBuilder();
                pieces.forEach(p -> text.append(p.text()));
                Piece last = pieces.getLast();
                return Completion.of(newId("cmpl-"), Instant.now().getEpochSecond(), request.model(),
                        List.of(new Completion.CompletionChoice(0, text.toString(), last.finishReason())), last.usage());
            });
        });
    }

    @Override
    public Flux<Completion> streamCompletion(CompletionRequest request) {
        return Flux.defer(() -> {
            CompletionPlan plan = planCompletion(request);
            String id = newId("cmpl-");
            long created = Instant.now().getEpochSecond();
            boolean wantsUsage = request.streamOptions() != null && request.streamOptions().wantsUsage();
            return run(plan.model(), plan.generation()).concatMapIterable(p -> {
                List<Completion> out = new ArrayList<>(2);
                if (!p.text().isEmpty() || p.finishReason() != null) {
                    out.add(Completion.of(id, created, request.model(),
                            List.of(new Completion.CompletionChoice(0, p.text(), p.finishReason())), null));
                }
                if (p.finishReason() != null && wantsUsage) {
                    out.add(new Completion(id, Completion.OBJECT, created, request.model(), List.of(), p.usage(), null));
                }
                return out;
            }, 1);
        });
    }

    // ---- generation ----

    /** A piece of output; the last one carries the finish reason and the usage. */
    private record Piece(String text, String finishReason, Usage usage) {
    }

    /** Runs a generation on the model's scheduler when it has one, otherwise on a worker. */
    private Flux<Piece> run(LoadedModel m, GenerationRequest request) {
        return m.scheduler() != null ? runBatched(m.scheduler(), request) : runAlone(m, request);
    }

    /**
     * Submits the generation to the scheduler at subscription. Its listener, called on the scheduler thread, must
     * not block, so deltas go through a buffering sink (they are small and bounded by max_tokens); a cancelled
     * subscription cancels the handle, which frees the sequence's KV blocks before its next token.
     */
    private static Flux<Piece> runBatched(BatchScheduler scheduler, GenerationRequest request) {
        return Flux.defer(() -> {
            Sinks.Many<Piece> sink = Sinks.many().unicast().onBackpressureBuffer();
            GenerationListener listener = new GenerationListener() {
                @Override
                public void onDelta(io.herd.engine.generate.Delta d) {
                    String finish = d.finishReason().map(io.herd.engine.generate.FinishReason::apiName).orElse(null);
                    sink.tryEmitNext(new Piece(d.text(), finish, null));
                    if (d.isLast()) {
                        sink.tryEmitComplete();
                    }
                }

                @Override
                public void onError(Throwable error) {
                    sink.tryEmitError(new InternalServerException("inline::herd generation failed: " + error.getMessage(), error));
                }
            };
            GenerationHandle handle;
            try {
                handle = scheduler.submit(request, listener);
            } catch (SchedulerFullException e) {
                return Flux.error(new OverloadedException("inline::herd is at capacity: " + e.getMessage(), e.retryAfter()));
            } catch (io.herd.engine.generate.ContextLengthExceededException e) {
                return Flux.error(new ContextLengthExceededException(e.promptTokens(), e.contextLength(), "messages"));
            } catch (InvalidSamplingParameterException e) {
                return Flux.error(new InvalidRequestException(e.getMessage(), e.field()));
            } catch (IllegalArgumentException e) {
                return Flux.error(new InvalidRequestException(e.getMessage(), "max_tokens"));
            }
            // The usage is read here, downstream of the sink, because the listener may run before submit returns.
            return sink.asFlux()
                    .map(p -> p.finishReason() == null ? p : new Piece(p.text(), p.finishReason(), usage(handle.usage())))
                    .doOnCancel(handle::cancel);
        });
    }

    private static Usage usage(io.herd.engine.generate.Usage u) {
        return Usage.of(u.promptTokens(), u.completionTokens());
    }

    /**
     * Pulls the generation one delta per request from downstream, on a worker thread. Flux.generate runs its
     * cleanup (closing the generation) on the worker when a cancel arrives mid-token, so the model state is
     * never released under a running forward pass.
     */
    private Flux<Piece> runAlone(LoadedModel m, GenerationRequest request) {
        Generator generator = m.generator();
        return Flux.<Piece, Generation>generate(() -> start(generator, request), (generation, sink) -> {
                    Optional<io.herd.engine.generate.Delta> delta = generation.next();
                    if (delta.isEmpty()) {
                        sink.complete();
                        return generation;
                    }
                    io.herd.engine.generate.Delta d = delta.get();
                    if (d.isLast()) {
                        sink.next(new Piece(d.text(), d.finishReason().orElseThrow().apiName(), usage(generation.usage())));
                        sink.complete();
                    } else {
                        sink.next(new Piece(d.text(), null, null));
                    }
                    return generation;
                }, Generation::close)
                .subscribeOn(workers);
    }

    private static Generation start(Generator generator, GenerationRequest request) {
        try {
            return generator.start(request);
        } catch (io.herd.engine.generate.ContextLengthExceededException e) {
            throw new ContextLengthExceededException(e.promptTokens(), e.contextLength(), "messages");
        }
    }

    private static String newId(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }

    /** The batch scheduler's counters for a model, empty when the model is not served by one. */
    public Optional<SchedulerStats> schedulerStats(String providerModelId) {
        BatchScheduler scheduler = model(providerModelId).scheduler();
        return Optional.ofNullable(scheduler).map(BatchScheduler::stats);
    }

    @Override
    public Flux<ModelInfo> listModels() {
        return Flux.fromIterable(models.values()).map(m -> {
            Map<String, Object> meta = new LinkedHashMap<>(m.registration().metadata());
            meta.putIfAbsent("context_length", m.contextLength());
            meta.putIfAbsent("chat_format", m.chatFormat().name());
            return new ModelInfo(m.registration().modelId(), m.registration().providerModelId(), providerId,
                    m.registration().modelType(), meta, 0);
        });
    }

    @Override
    public Mono<ProviderHealth> health() {
        return Mono.just(ProviderHealth.ok());
    }

    @Override
    public void close() {
        if (workers != null) {
            workers.dispose();
        }
        models.values().forEach(m -> {
            if (m.scheduler() != null) {
                m.scheduler().close();
            }
            m.model().close();
        });
        models.clear();
    }
}
