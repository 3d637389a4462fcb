package io.herd.distribution;

import java.nio.file.Path;
import java.util.Map;

/**
 * Herd's per-user state directory: {@code ~/.herd}, or wherever {@code HERD_HOME} points.
 * Holds the model cache and the single-node SQLite stores.
 */
public record HerdHome(Path root) {

    public static final String ENV = "HERD_HOME";

    public static HerdHome fromEnvironment() {
        return from(System.getenv(), System.getProperty("user.home"));
    }

    static HerdHome from(Map<String, String> env, String userHome) {
        String configured = env.get(ENV);
        if (configured != null && !configured.isBlank()) {
            return new HerdHome(Path.of(configured).toAbsolutePath());
        }
        return new HerdHome(Path.of(userHome, ".herd"));
    }

    public Path models() {
        return root.resolve("models");
    }
}
