package io.herd.safety;

import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.ContentPart;
import io.herd.api.inference.MessageContent;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.Shield;
import io.herd.safety.metrics.ShieldMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import reactor.core.publisher.Mono;

/** What the in-process shields share: their shield table, metrics around each check, and message text rewriting. */
public final class ShieldSupport {

    private final String providerId;
    private final ShieldMetrics metrics;
    private final Map<String, Shield> shields = new ConcurrentHashMap<>();

    public ShieldSupport(String providerId, ShieldMetrics metrics) {
        this.providerId = providerId;
        this.metrics = metrics == null ? ShieldMetrics.NOOP : metrics;
    }

    public void register(Shield shield) {
        if (!providerId.equals(shield.providerId())) {
            throw new IllegalArgumentException("shield '" + shield.identifier() + "' names provider_id '" + shield.providerId()
                    + "', not '" + providerId + "'");
        }
        shields.put(shield.identifier(), shield);
    }

    /** @throws io.herd.api.common.NotFoundException for a shield never registered here */
    public Shield shield(String shieldId) {
        Shield shield = shields.get(shieldId);
        if (shield == null) {
            throw SafetyProvider.unknownShield(shieldId);
        }
        return shield;
    }

    /**
     * Runs a synchronous CPU check lazily, records its latency and outcome.
     *
     * @param categories extracts the finding categories of a response, for the per-category counters
     */
    public Mono<RunShieldResponse> timed(String shieldId, java.util.function.Supplier<RunShieldResponse> check,
                                         java.util.function.Function<RunShieldResponse, Collection<String>> categories) {
        return Mono.fromSupplier(() -> {
            shield(shieldId);
            long start = System.nanoTime();
            try {
                RunShieldResponse response = check.get();
                record(shieldId, start, response, categories);
                return response;
            } catch (RuntimeException e) {
                metrics.recordError(shieldId, e);
                throw e;
            }
        });
    }

    public void record(String shieldId, long startNanos, RunShieldResponse response,
                       java.util.function.Function<RunShieldResponse, Collection<String>> categories) {
        Duration latency = Duration.ofNanos(System.nanoTime() - startNanos);
        if (response.violation() == null) {
            metrics.recordCheck(shieldId, latency, null, List.of());
        } else {
            metrics.recordCheck(shieldId, latency, response.violation().violationLevel(), categories.apply(response));
        }
    }

    public ShieldMetrics metrics() {
        return metrics;
    }

    /** The message with the text of its content (plain string or each text part) rewritten; images and files kept. */
    public static ChatMessage rewriteText(ChatMessage message, UnaryOperator<String> rewrite) {
        MessageContent content = message.content();
        MessageContent rewritten = switch (content) {
            case null -> null;
            case MessageContent.Text text -> MessageContent.of(rewrite.apply(text.value()));
            case MessageContent.Parts parts -> {
                List<ContentPart> out = new ArrayList<>(parts.parts().size());
                for (ContentPart p : parts.parts()) {
                    out.add("text".equals(p.type()) && p.text() != null
                            ? new ContentPart(p.type(), rewrite.apply(p.text()), p.imageUrl(), p.file()) : p);
                }
                yield new MessageContent.Parts(out);
            }
        };
        return new ChatMessage(message.role(), rewritten, message.name(), message.toolCalls(), message.toolCallId(),
                message.refusal());
    }

    /** Text a message contributes to a check: its content plus tool-call arguments (where injected instructions also hide). */
    public static String textOf(ChatMessage message) {
        String text = message.text();
        if (message.toolCalls() == null || message.toolCalls().isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text);
        message.toolCalls().forEach(call -> {
            if (call.function() != null && call.function().arguments() != null) {
                sb.append('\n').append(call.function().arguments());
            }
        });
        return sb.toString();
    }
}
