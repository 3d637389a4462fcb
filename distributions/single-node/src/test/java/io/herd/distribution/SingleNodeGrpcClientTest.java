package io.herd.distribution;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.herd.api.grpc.v1.ChatCompletion;
import io.herd.api.grpc.v1.ChatCompletionRequest;
import io.herd.api.grpc.v1.ChatMessage;
import io.herd.api.grpc.v1.CompletionRequest;
import io.herd.api.grpc.v1.InferenceServiceGrpc;
import io.herd.api.grpc.v1.ListModelsRequest;
import io.herd.api.grpc.v1.Model;
import io.herd.api.grpc.v1.ModelsServiceGrpc;
import io.herd.gateway.grpc.GrpcServerLifecycle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The single-node server as {@code herd serve --model stories260K.gguf} starts it, driven by a plain
 * grpc-java client: the same calls the npm suite makes over REST.
 */
class SingleNodeGrpcClientTest {

    private static final Path MODEL = Path.of(System.getProperty("herd.shared.dir", "../shared"), "models", "stories260K.gguf");
    private static final String KEY = "grpc-client-test-key";

    @TempDir
    static Path home;

    static ConfigurableApplicationContext server;
    static ManagedChannel channel;
    static InferenceServiceGrpc.InferenceServiceBlockingStub inference;
    static ModelsServiceGrpc.ModelsServiceBlockingStub models;

    @BeforeAll
    static void start() {
        assumeTrue(Files.exists(MODEL), "stories260K.gguf absent: " + MODEL.toAbsolutePath());
        ServeCommand serve = new ServeCommand(new HerdHome(home), Map.of(), new PrintStream(new ByteArrayOutputStream()));
        server = serve.run(new String[] {"--model", MODEL.toString(), "--port", "0", "--grpc-port", "0",
                "--HERD_API_KEY=" + KEY, "--HERD_THREADS=1"});
        int port = server.getBean(GrpcServerLifecycle.class).port();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        Metadata auth = new Metadata();
        auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + KEY);
        inference = InferenceServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
        models = ModelsServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(auth));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    private static ChatCompletionRequest chat() {
        return ChatCompletionRequest.newBuilder().setModel("stories260K").setTemperature(0).setMaxTokens(24)
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("Once upon a time")).build();
    }

    @Test
    void servesTheModelGivenOnTheCommandLineUnderItsFileName() {
        var listed = models.withDeadlineAfter(30, TimeUnit.SECONDS).listModels(ListModelsRequest.getDefaultInstance());
        assertThat(listed.getDataList()).extracting(Model::getIdentifier).contains("stories260K");
        assertThat(listed.getDataList()).filteredOn(m -> m.getIdentifier().equals("stories260K")).singleElement()
                .satisfies(m -> {
                    assertThat(m.getProviderId()).isEqualTo("herd");
                    assertThat(m.getModelType()).isEqualTo("llm");
                });
        var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void chatStreamedEqualsChatUnary() {
        ChatCompletion unary = inference.withDeadlineAfter(120, TimeUnit.SECONDS).createChatCompletion(chat());
        assertThat(unary.getObject()).isEqualTo("chat.completion");
        assertThat(unary.getModel()).isEqualTo("stories260K");
        String content = unary.getChoices(0).getMessage().getContent();
        assertThat(content).isNotEmpty();
        assertThat(unary.getUsage().getCompletionTokens()).isBetween(1, 24);

        StringBuilder streamed = new StringBuilder();
        String[] finish = new String[1];
        inference.withDeadlineAfter(120, TimeUnit.SECONDS).streamChatCompletion(chat()).forEachRemaining(chunk ->
                chunk.getChoicesList().forEach(choice -> {
                    streamed.append(choice.getDelta().getContent());
                    if (choice.hasFinishReason()) {
                        finish[0] = choice.getFinishReason();
                    }
                }));
        assertThat(streamed.toString()).isEqualTo(content);
        assertThat(finish[0]).isEqualTo(unary.getChoices(0).getFinishReason());
    }

    @Test
    void completionStreamedEqualsCompletionUnary() {
        CompletionRequest request = CompletionRequest.newBuilder().setModel("stories260K").addPrompt("Once upon a time, there was a")
                .setTemperature(0).setMaxTokens(24).build();
        var unary = inference.withDeadlineAfter(120, TimeUnit.SECONDS).createCompletion(request);
        assertThat(unary.getObject()).isEqualTo("text_completion");
        assertThat(unary.getChoices(0).getText()).isNotEmpty();

        StringBuilder streamed = new StringBuilder();
        inference.withDeadlineAfter(120, TimeUnit.SECONDS).streamCompletion(request)
                .forEachRemaining(piece -> piece.getChoicesList().forEach(c -> streamed.append(c.getText())));
        assertThat(streamed.toString()).isEqualTo(unary.getChoices(0).getText());
    }

    @Test
    void anUnknownModelIsNotFoundAndAMissingKeyUnauthenticated() {
        var unknown = catchThrowableOfType(StatusRuntimeException.class, () -> inference.withDeadlineAfter(10, TimeUnit.SECONDS)
                .createChatCompletion(chat().toBuilder().setModel("nope").build()));
        assertThat(unknown.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);

        var anonymous = catchThrowableOfType(StatusRuntimeException.class, () -> InferenceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS).createChatCompletion(chat()));
        assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
