package io.herd.gateway.filter;

import io.herd.api.common.InvalidRequestException;
import io.herd.api.common.NotFoundException;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.gateway.support.GatewayTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The path the gRPC front end takes: same validation, routing and decorators as REST, without HTTP. */
class InferenceCallsTest extends GatewayTestSupport {

    @Autowired
    InferenceCalls calls;

    @Autowired
    ApiKeyAuthenticationFilter authentication;

    @Test
    void preparedCallIsRoutedAndDecorated() {
        InferenceCall call = calls.prepare(InferenceCall.Operation.CHAT_COMPLETION, ChatCompletionRequest.builder()
                .model("acme/llama3.2:3b").messages(ChatMessage.user("one two")).build());
        assertThat(call.route().provider().providerId()).isEqualTo("scripted");
        assertThat(call.provider()).isNotSameAs(call.route().provider().provider());
        ChatCompletionRequest toProvider = (ChatCompletionRequest) call.providerRequest();
        assertThat(toProvider.model()).isEqualTo("echo");
        assertThat(call.provider().chatCompletion(toProvider).block(Duration.ofSeconds(5)).choices().getFirst().message().text())
                .isEqualTo("one two");
    }

    @Test
    void rejectsLikeRest() {
        assertThatThrownBy(() -> calls.prepare(InferenceCall.Operation.CHAT_COMPLETION, ChatCompletionRequest.builder()
                .model("nope").messages(ChatMessage.user("x")).build())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> calls.prepare(InferenceCall.Operation.CHAT_COMPLETION, ChatCompletionRequest.builder()
                .model("echo-model").messages(ChatMessage.user("x")).temperature(9.0).build()))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo("temperature"));
        assertThat(authentication.enabled()).isTrue();
        authentication.authenticate("Bearer " + API_KEY);
        assertThatThrownBy(() -> authentication.authenticate("Bearer nope")).hasMessageContaining("Incorrect API key");
    }
}
