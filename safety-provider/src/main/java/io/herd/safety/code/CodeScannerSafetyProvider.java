package io.herd.safety.code;

import io.herd.api.inference.ChatMessage;
import io.herd.api.inference.Role;
import io.herd.api.safety.RunShieldResponse;
import io.herd.api.safety.SafetyProvider;
import io.herd.api.safety.SafetyViolation;
import io.herd.api.safety.Shield;
import io.herd.safety.ConfigMaps;
import io.herd.safety.ShieldSupport;
import io.herd.safety.metrics.ShieldMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * {@code inline::code-scanner}: insecure code in what the model wrote. It scans assistant messages (so a user who
 * pastes vulnerable code to get it fixed is not refused); when the conversation has none, as in a plain
 * {@code run-shield} call, it scans the last message. Findings at or above {@code block_severity} (default high)
 * are an {@code error}; findings at or above {@code warn_severity} (default medium) a {@code warn}.
 */
public final class CodeScannerSafetyProvider implements SafetyProvider {

    public static final String PROVIDER_TYPE = "inline::code-scanner";
    public static final String USER_MESSAGE = "Sorry, I found security concerns in the code.";

    private final CodeScanner scanner = new CodeScanner();
    private final Severity blockSeverity;
    private final Severity warnSeverity;
    private final ShieldSupport support;

    public CodeScannerSafetyProvider(String providerId, Severity blockSeverity, Severity warnSeverity, ShieldMetrics metrics) {
        this.blockSeverity = blockSeverity;
        this.warnSeverity = warnSeverity;
        this.support = new ShieldSupport(providerId, metrics);
    }

    public static CodeScannerSafetyProvider fromConfig(String providerId, Map<String, ?> config, ShieldMetrics metrics) {
        ConfigMaps.requireKnownKeys(PROVIDER_TYPE, config, Set.of("block_severity", "warn_severity"));
        try {
            return new CodeScannerSafetyProvider(providerId,
                    Severity.fromConfig(ConfigMaps.string(config, "block_severity", "high")),
                    Severity.fromConfig(ConfigMaps.string(config, "warn_severity", "medium")), metrics);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROVIDER_TYPE + " config: " + e.getMessage(), e);
        }
    }

    @Override
    public void registerShield(Shield shield) {
        support.register(shield);
    }

    @Override
    public Mono<RunShieldResponse> runShield(String shieldId, List<ChatMessage> messages, Map<String, Object> params) {
        return support.timed(shieldId, () -> check(messages),
                r -> List.of(String.valueOf(r.violation().metadata().get("violation_type")).split(",")));
    }

    private RunShieldResponse check(List<ChatMessage> messages) {
        List<ChatMessage> scanned = messages.stream().filter(m -> m.role() == Role.ASSISTANT).toList();
        if (scanned.isEmpty() && !messages.isEmpty()) {
            scanned = List.of(messages.getLast());
        }
        List<CodeFinding> findings = new ArrayList<>();
        for (ChatMessage message : scanned) {
            findings.addAll(scanner.scan(message.text()));
        }
        Severity worst = findings.stream().map(CodeFinding::severity).max(Enum::compareTo).orElse(null);
        if (worst == null || worst.compareTo(warnSeverity) < 0) {
            return RunShieldResponse.PASSED;
        }
        Set<String> ruleIds = new LinkedHashSet<>();
        List<Map<String, Object>> details = new ArrayList<>();
        for (CodeFinding f : findings) {
            if (f.severity().compareTo(warnSeverity) < 0) {
                continue;
            }
            ruleIds.add(f.ruleId());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("rule_id", f.ruleId());
            d.put("cwe", f.cwe());
            d.put("severity", f.severity().wireName());
            d.put("language", f.language().name().toLowerCase(java.util.Locale.ROOT));
            d.put("line", f.line());
            d.put("message", f.message());
            details.add(d);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("violation_type", String.join(",", ruleIds));
        metadata.put("findings", details);
        SafetyViolation violation = worst.compareTo(blockSeverity) >= 0
                ? SafetyViolation.error(USER_MESSAGE, metadata) : SafetyViolation.warn(USER_MESSAGE, metadata);
        return RunShieldResponse.of(violation);
    }
}
