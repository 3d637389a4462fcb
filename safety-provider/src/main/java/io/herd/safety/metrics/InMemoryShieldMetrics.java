package io.herd.safety.metrics;

import io.herd.api.safety.ViolationLevel;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Lock-free counters per shield and per category, plus total latency; enough for tests and a plain export. */
public final class InMemoryShieldMetrics implements ShieldMetrics {

    private final Map<String, LongAdder> checks = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> violations = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> latencyNanos = new ConcurrentHashMap<>();

    @Override
    public void recordCheck(String shieldId, Duration latency, ViolationLevel level, Collection<String> categories) {
        add(checks, shieldId);
        latencyNanos.computeIfAbsent(shieldId, k -> new LongAdder()).add(latency.toNanos());
        if (level != null) {
            add(violations, shieldId + "|" + level.wireName());
            for (String category : categories) {
                add(violations, shieldId + "|" + level.wireName() + "|" + category);
            }
        }
    }

    @Override
    public void recordError(String shieldId, Throwable error) {
        add(errors, shieldId + "|" + error.getClass().getSimpleName());
    }

    public long checks(String shieldId) {
        return get(checks, shieldId);
    }

    public long violations(String shieldId, ViolationLevel level) {
        return get(violations, shieldId + "|" + level.wireName());
    }

    public long violations(String shieldId, ViolationLevel level, String category) {
        return get(violations, shieldId + "|" + level.wireName() + "|" + category);
    }

    public long errors(String shieldId) {
        return errors.entrySet().stream().filter(e -> e.getKey().startsWith(shieldId + "|"))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    public Duration totalLatency(String shieldId) {
        return Duration.ofNanos(get(latencyNanos, shieldId));
    }

    /** All counters, keyed {@code checks|shield}, {@code violations|shield|level[|category]}, {@code errors|shield|type}. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        checks.forEach((k, v) -> out.put("checks|" + k, v.sum()));
        violations.forEach((k, v) -> out.put("violations|" + k, v.sum()));
        errors.forEach((k, v) -> out.put("errors|" + k, v.sum()));
        return out;
    }

    private static void add(Map<String, LongAdder> map, String key) {
        map.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static long get(Map<String, LongAdder> map, String key) {
        LongAdder adder = map.get(key);
        return adder == null ? 0 : adder.sum();
    }
}
