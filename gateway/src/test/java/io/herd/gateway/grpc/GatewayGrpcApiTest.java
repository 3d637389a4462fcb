package io.herd.gateway.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.herd.api.grpc.GrpcErrors;
import io.herd.api.grpc.v1.ChatCompletion;
import io.herd.api.grpc.v1.ChatCompletionChunk;
import io.herd.api.grpc.v1.ChatCompletionRequest;
import io.herd.api.grpc.v1.ChatMessage;
import io.herd.api.grpc.v1.CompletionRequest;
import io.herd.api.grpc.v1.EmbeddingsRequest;
import io.herd.api.grpc.v1.GetModelRequest;
import io.herd.api.grpc.v1.InferenceServiceGrpc;
import io.herd.api.grpc.v1.ListModelsRequest;
import io.herd.api.grpc.v1.ModelsServiceGrpc;
import io.herd.gateway.HerdGatewayApplication;
import io.herd.gateway.support.GatewayTestConfiguration;
import io.herd.gateway.support.ScriptedInferenceProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@SpringBootTest(classes = HerdGatewayApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"herd.config=src/test/resources/test-config.yaml"})
@Import(GatewayTestConfiguration.class)
class GatewayGrpcApiTest {

    @LocalServerPort
    int httpPort;

    @Autowired
    GrpcServerLifecycle grpcServer;

    @Autowired
    JsonMapper json;

    ManagedChannel channel;
    InferenceServiceGrpc.InferenceServiceBlockingStub inference;
    ModelsServiceGrpc.ModelsServiceBlockingStub models;
    WebTestClient rest;

    @BeforeEach
    void connect() {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer test-key");
        inference = InferenceServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        models = ModelsServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        rest = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + httpPort)
                .defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer test-key")
                .responseTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private JsonNode restPost(String path, String body) {
        byte[] bytes = rest.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isOk().expectBody(byte[].class).returnResult().getResponseBody();
        return json.readTree(bytes);
    }

    private static ChatCompletionRequest chat(String model, String text) {
        return ChatCompletionRequest.newBuilder().setModel(model)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent(text)).build();
    }

    @Test
    void chatCompletionGivesTheSameAnswerAsRest() {
        ChatCompletion grpc = inference.createChatCompletion(chat("acme/llama3.2:3b", "hello big world").toBuilder()
                .setMaxTokens(2).build());
        JsonNode viaRest = restPost("/v1/chat/completions", """
                {"model":"acme/llama3.2:3b","messages":[{"role":"user","content":"hello big world"}],"max_tokens":2}""");

        assertThat(grpc.getObject()).isEqualTo("chat.completion");
        assertThat(grpc.getModel()).isEqualTo("acme/llama3.2:3b");
        JsonNode restChoice = viaRest.path("choices").get(0);
        assertThat(grpc.getChoices(0).getMessage().getContent()).isEqualTo(restChoice.path("message").path("content").asString());
        assertThat(grpc.getChoices(0).getMessage().getRole()).isEqualTo("assistant");
        assertThat(grpc.getChoices(0).getFinishReason()).isEqualTo(restChoice.path("finish_reason").asString()).isEqualTo("length");
        assertThat(grpc.getUsage().getCompletionTokens()).isEqualTo(viaRest.path("usage").path("completion_tokens").asInt());
    }

    @Test
    void streamedChatArrivesChunkByChunkWithRoleFirstAndUsageLast() {
        Iterator<ChatCompletionChunk> stream = inference.streamChatCompletion(chat("echo-model", "one two three").toBuilder()
                .setIncludeUsage(true).build());
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        stream.forEachRemaining(chunks::add);

        assertThat(chunks.getFirst().getChoices(0).getDelta().getRole()).isEqualTo("assistant");
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.getChoicesList().forEach(choice -> text.append(choice.getDelta().getContent())));
        assertThat(text.toString()).isEqualTo("one two three");
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.getObject()).isEqualTo("chat.completion.chunk");
            assertThat(c.getModel()).isEqualTo("echo-model");
        });
        assertThat(chunks.get(chunks.size() - 2).getChoices(0).getFinishReason()).isEqualTo("stop");
        assertThat(chunks.getLast().getChoicesCount()).isZero();
        assertThat(chunks.getLast().getUsage().getCompletionTokens()).isEqualTo(3);
    }

    @Test
    void completionAndEmbeddingsMatchRest() {
        var completion = inference.createCompletion(CompletionRequest.newBuilder().setModel("echo-model").addPrompt("shout").build());
        JsonNode restCompletion = restPost("/v1/completions", """
                {"model":"echo-model","prompt":"shout"}""");
        assertThat(completion.getChoices(0).getText()).isEqualTo(restCompletion.path("choices").get(0).path("text").asString());
        assertThat(completion.getObject()).isEqualTo("text_completion");

        var embeddings = inference.createEmbeddings(EmbeddingsRequest.newBuilder().setModel("echo-model")
                .addInput("four").addInput("sixsix").build());
        assertThat(embeddings.getDataCount()).isEqualTo(2);
        assertThat(embeddings.getData(1).getEmbeddingList()).containsExactly(6f, 0.5f, -1f);
        assertThat(embeddings.getModel()).isEqualTo("echo-model");
    }

    @Test
    void modelsAreTheRestModels() {
        var listed = models.listModels(ListModelsRequest.getDefaultInstance());
        JsonNode viaRest = json.readTree(rest.get().uri("/v1/models").exchange().expectStatus().isOk()
                .expectBody(byte[].class).returnResult().getResponseBody());
        List<String> restIds = new ArrayList<>();
        viaRest.path("data").forEach(m -> restIds.add(m.path("id").asString()));
        assertThat(listed.getDataList()).extracting(io.herd.api.grpc.v1.Model::getIdentifier).containsExactlyElementsOf(restIds);

        var one = models.getModel(GetModelRequest.newBuilder().setModelId("acme/llama3.2:3b").build());
        assertThat(one.getProviderId()).isEqualTo("scripted");
        assertThat(one.getProviderResourceId()).isEqualTo("echo");
        assertThat(one.getModelType()).isEqualTo("llm");
    }

    @Test
    void errorsCarryTheOpenAiMessageTypeAndParam() {
        StatusRuntimeException unknown = catchThrowableOfType(StatusRuntimeException.class,
                () -> inference.createChatCompletion(chat("no-such-model", "hi")));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(unknown.getStatus().getDescription()).contains("no-such-model");
        assertThat(unknown.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("model_not_found");
        assertThat(unknown.getTrailers().get(GrpcErrors.HTTP_STATUS)).isEqualTo("404");

        StatusRuntimeException invalid = catchThrowableOfType(StatusRuntimeException.class,
                () -> inference.createChatCompletion(chat("echo-model", "hi").toBuilder().setTemperature(7).build()));
        assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(invalid.getTrailers().get(GrpcErrors.ERROR_PARAM)).isEqualTo("temperature");
        assertThat(invalid.getTrailers().get(GrpcErrors.ERROR_TYPE)).isEqualTo("invalid_request_error");

        StatusRuntimeException noMessages = catchThrowableOfType(StatusRuntimeException.class,
                () -> inference.createChatCompletion(ChatCompletionRequest.newBuilder().setModel("echo-model").build()));
        assertThat(noMessages.getTrailers().get(GrpcErrors.ERROR_PARAM)).isEqualTo("messages");

        String tooLong = "w ".repeat(ScriptedInferenceProvider.CONTEXT_WORDS + 1);
        StatusRuntimeException context = catchThrowableOfType(StatusRuntimeException.class,
                () -> inference.createChatCompletion(chat("echo-model", tooLong)));
        assertThat(context.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(context.getTrailers().get(GrpcErrors.ERROR_CODE)).isEqualTo("context_length_exceeded");

        StatusRuntimeException upstream = catchThrowableOfType(StatusRuntimeException.class,
                () -> inference.createChatCompletion(chat("broken-model", "hi")));
        assertThat(upstream.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(upstream.getStatus().getDescription()).contains("boom");
    }

    @Test
    void apiKeyIsRequiredExceptForHealth() {
        var anonymous = InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> anonymous.createChatCompletion(chat("echo-model", "hi")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                    assertThat(e.getStatus().getDescription()).contains("Missing API key");
                });
        Metadata wrong = new Metadata();
        wrong.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer nope");
        assertThatThrownBy(() -> anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(wrong))
                .createChatCompletion(chat("echo-model", "hi")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e ->
                        assertThat(e.getStatus().getDescription()).contains("Incorrect API key"));

        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService("herd.v1.InferenceService").build());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void cancellingAStreamStopsTheGeneration() throws InterruptedException {
        int before = ScriptedInferenceProvider.ENDLESS_CANCELLATIONS.get();
        CountDownLatch gotThree = new CountDownLatch(3);
        CountDownLatch closed = new CountDownLatch(1);
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer test-key");
        InferenceServiceGrpc.newStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth))
                .streamChatCompletion(chat("endless-model", "go"), new ClientResponseObserver<ChatCompletionRequest, ChatCompletionChunk>() {
                    ClientCallStreamObserver<ChatCompletionRequest> call;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<ChatCompletionRequest> requestStream) {
                        call = requestStream;
                    }

                    @Override
                    public void onNext(ChatCompletionChunk chunk) {
                        gotThree.countDown();
                        if (gotThree.getCount() == 0) {
                            call.cancel("client has seen enough", null);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        closed.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        closed.countDown();
                    }
                });
        assertThat(gotThree.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ScriptedInferenceProvider.ENDLESS_CANCELLATIONS.get() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ScriptedInferenceProvider.ENDLESS_CANCELLATIONS.get()).isGreaterThan(before);
    }
}
