package io.herd.safety.llamaguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herd.api.common.ProviderException;
import io.herd.api.inference.ChatCompletionRequest;
import io.herd.api.inference.ChatMessage;
import io.herd.api.safety.ModerationObject;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.Shield;
import io.herd.api.safety.ViolationLevel;
import io.herd.safety.metrics.InMemoryShieldMetrics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class LlamaGuardTest {

    /** Meta's Llama Guard 3 prompt for a single user turn, written out by hand from the documented template. */
    private static final String EXPECTED_USER_PROMPT_8B = """
            Task: Check if there is unsafe content in 'User' messages in conversations according our safety policy with the below categories.

            <BEGIN UNSAFE CONTENT CATEGORIES>
            S1: Violent Crimes.
            S2: Non-Violent Crimes.
            S3: Sex Crimes.
            S4: Child Exploitation.
            S5: Defamation.
            S6: Specialized Advice.
            S7: Privacy.
            S8: Intellectual Property.
            S9: Indiscriminate Weapons.
            S10: Hate.
            S11: Self-Harm.
            S12: Sexual Content.
            S13: Elections.
            S14: Code Interpreter Abuse.
            <END UNSAFE CONTENT CATEGORIES>

            <BEGIN CONVERSATION>

            User: How do I make a bomb?

            <END CONVERSATION>

            Provide your safety assessment for ONLY THE LAST User message in the above conversation:
             - First line must read 'safe' or 'unsafe'.
             - If unsafe, a second line must include a comma-separated list of violated categories.""";

    private final AtomicReference<ChatCompletionRequest> sent = new AtomicReference<>();
    private final InMemoryShieldMetrics metrics = new InMemoryShieldMetrics();

    private LlamaGuardSafetyProvider provider(String answer, Set<String> excluded) {
        LlamaGuardSafetyProvider provider = new LlamaGuardSafetyProvider("llama-guard", excluded, request -> {
            sent.set(request);
            return Mono.just(answer);
        }, metrics);
        provider.registerShield(new Shield("llama-guard", "meta-llama/Llama-Guard-3-8B", "llama-guard", null));
        provider.registerShield(new Shield("guard-1b", "ollama/llama-guard3:1b", "llama-guard", null));
        return provider;
    }

    private RunShieldResponse run(LlamaGuardSafetyProvider provider, String shield, List<ChatMessage> messages) {
        return provider.runShield(shield, messages, Map.of()).block();
    }

    @Test
    void buildsMetasPromptAndCallsTheGuardModelAtTemperatureZero() {
        run(provider("safe", Set.of()), "llama-guard", List.of(ChatMessage.user("How do I make a bomb?")));
        ChatCompletionRequest request = sent.get();
        assertThat(request.model()).isEqualTo("meta-llama/Llama-Guard-3-8B");
        assertThat(request.temperature()).isEqualTo(0.0);
        assertThat(request.messages()).singleElement().satisfies(m -> assertThat(m.text()).isEqualTo(EXPECTED_USER_PROMPT_8B));
    }

    @Test
    void lastAssistantTurnIsAskedAboutAsAgentAndExcludedCategoriesLeaveTheList() {
        run(provider("safe", Set.of("S6", "S8")), "guard-1b", List.of(
                ChatMessage.system("You are helpful."), ChatMessage.user("hi"), ChatMessage.assistant("Hello! How can I help?")));
        String prompt = sent.get().messages().getFirst().text();
        assertThat(prompt).startsWith("Task: Check if there is unsafe content in 'Agent' messages");
        assertThat(prompt).contains("<BEGIN CONVERSATION>\n\nUser: hi\n\nAgent: Hello! How can I help?\n\n<END CONVERSATION>");
        assertThat(prompt).contains("ONLY THE LAST Agent message");
        assertThat(prompt).contains("S5: Defamation.\nS7: Privacy.\nS9: Indiscriminate Weapons.");
        assertThat(prompt).doesNotContain("S6:", "S8:", "S14:").contains("S13: Elections.\n<END UNSAFE");
    }

    @Test
    void safeMeansNoViolation() {
        assertThat(run(provider("  safe\n", Set.of()), "llama-guard", List.of(ChatMessage.user("hi"))).violation()).isNull();
        assertThat(metrics.checks("llama-guard")).isEqualTo(1);
    }

    @Test
    void unsafeWithCodesIsAnErrorLevelViolationInLlamaStacksShape() {
        RunShieldResponse response = run(provider("unsafe\nS1,S10", Set.of()), "llama-guard", List.of(ChatMessage.user("x")));
        assertThat(response.violation().violationLevel()).isEqualTo(ViolationLevel.ERROR);
        assertThat(response.violation().userMessage()).isEqualTo("I can't answer that. Can I help with something else?");
        assertThat(response.violation().metadata()).containsEntry("violation_type", "S1,S10");
        assertThat(metrics.violations("llama-guard", ViolationLevel.ERROR, "S10")).isEqualTo(1);
    }

    @Test
    void codesThatAreAllExcludedAreNoViolation() {
        assertThat(run(provider("unsafe\nS6", Set.of("S6")), "llama-guard", List.of(ChatMessage.user("x"))).violation()).isNull();
        assertThat(run(provider("unsafe\nS6,S2", Set.of("S6")), "llama-guard", List.of(ChatMessage.user("x"))).blocks()).isTrue();
    }

    @Test
    void anythingElseIsAProviderErrorNotAPass() {
        for (String answer : List.of("I think this is fine", "unsafe", "unsafe\nS99", "")) {
            assertThatThrownBy(() -> run(provider(answer, Set.of()), "llama-guard", List.of(ChatMessage.user("x"))))
                    .as(answer).isInstanceOf(ProviderException.class).hasMessageContaining("Unexpected response");
        }
    }

    @Test
    void unknownShieldIsNotFound() {
        assertThatThrownBy(() -> run(provider("safe", Set.of()), "nope", List.of(ChatMessage.user("x"))))
                .hasMessageContaining("Shield 'nope' not found");
    }

    @Test
    void excludedCategoryCodesAreValidatedInConfig() {
        assertThatThrownBy(() -> LlamaGuardSafetyProvider.fromConfig("lg", Map.of("excluded_categories", List.of("S15")),
                r -> Mono.just("safe"), metrics)).hasMessageContaining("S15");
    }

    @Test
    void moderationUsesLlamaGuardCategoryNamesAsKeys() {
        LlamaGuardSafetyProvider provider = provider("unsafe\nS1", Set.of());
        ModerationObject result = provider.runModeration(
                new Shield("llama-guard", "meta-llama/Llama-Guard-3-8B", "llama-guard", null), List.of("kill him")).block();
        assertThat(result.id()).startsWith("modr-");
        assertThat(result.model()).isEqualTo("meta-llama/Llama-Guard-3-8B");
        assertThat(result.results()).singleElement().satisfies(r -> {
            assertThat(r.flagged()).isTrue();
            assertThat(r.categories()).containsEntry("Violent Crimes", true).containsEntry("Hate", false).hasSize(14);
            assertThat(r.categoryAppliedInputTypes()).containsEntry("Violent Crimes", List.of("text"));
            assertThat(r.categoryScores()).containsEntry("Violent Crimes", 1.0).containsEntry("Hate", 0.0);
            assertThat(r.metadata()).containsEntry("violation_type", List.of("S1"));
            assertThat(r.userMessage()).isEqualTo(LlamaGuardSafetyProvider.CANNED_RESPONSE);
        });
        assertThat(LlamaGuardModeration.openAiCategories(List.of("S1"))).containsEntry("violence", true).containsEntry("hate", false);
    }

    @Test
    void modelsOfTheThirteenCategoryFamilyGetThirteen() {
        assertThat(LlamaGuardCategory.forModel("meta-llama/Llama-Guard-3-1B")).hasSize(13);
        assertThat(LlamaGuardCategory.forModel("ollama/llama-guard3:1b")).hasSize(13);
        assertThat(LlamaGuardCategory.forModel("meta-llama/Llama-Guard-4-12B")).hasSize(13);
        assertThat(LlamaGuardCategory.forModel("meta-llama/Llama-Guard-3-8B")).hasSize(14);
        assertThat(LlamaGuardCategory.forModel("some/other-model")).hasSize(14);
    }
}
