package io.herd.distribution.models;

import io.herd.distribution.HerdHome;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code herd models pull|list|rm}. Returns the process exit status. */
public final class ModelsCommand {

    private static final String USAGE = """
            usage: herd models pull OWNER/REPO/FILE.gguf [--revision REV] [--sha256 HEX]
                   herd models pull OWNER/REPO FILE.gguf [--revision REV] [--sha256 HEX]
                   herd models list
                   herd models rm NAME
            """;

    private final ModelCache cache;
    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public ModelsCommand(HerdHome home, Map<String, String> env, PrintStream out, PrintStream err) {
        this.cache = new ModelCache(home.models());
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (args[0]) {
                case "pull" -> pull(List.of(args).subList(1, args.length));
                case "list", "ls" -> list();
                case "rm", "remove" -> {
                    if (args.length != 2) {
                        throw new IllegalArgumentException("models rm takes one model name (see 'herd models list')");
                    }
                    var removed = cache.remove(args[1]);
                    out.println("Removed " + removed.name() + " (" + human(removed.sizeBytes()) + ")");
                    yield 0;
                }
                default -> throw new IllegalArgumentException("unknown models command '" + args[0] + "'");
            };
        } catch (IllegalArgumentException e) {
            err.println("herd models: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ModelDownloadException e) {
            err.println("herd models: " + e.getMessage());
            return 1;
        }
    }

    private int pull(List<String> args) {
        String spec = null;
        String file = null;
        String revision = null;
        String sha = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--revision" -> revision = next(args, ++i, a);
                case "--sha256" -> sha = next(args, ++i, a);
                default -> {
                    if (a.startsWith("--")) {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    } else if (spec == null) {
                        spec = a;
                    } else if (file == null) {
                        file = a;
                    } else {
                        throw new IllegalArgumentException("unexpected argument '" + a + "'");
                    }
                }
            }
        }
        if (spec == null) {
            throw new IllegalArgumentException("models pull needs a model, e.g. " + ModelReference.DEFAULT_CHAT_MODEL);
        }
        ModelReference reference = ModelReference.parse(spec, file, revision);
        HuggingFaceDownloader.fromEnvironment(env, cache, err).pull(reference, sha);
        out.println(reference.modelId());
        return 0;
    }

    private int list() {
        var models = cache.list();
        if (models.isEmpty()) {
            out.println("No cached models in " + cache.root() + " (herd models pull OWNER/REPO/FILE.gguf)");
            return 0;
        }
        int width = models.stream().mapToInt(m -> m.id().length()).max().orElse(2);
        out.printf(Locale.ROOT, "%-" + width + "s  %10s  %s%n", "ID", "SIZE", "FILE");
        for (var m : models) {
            out.printf(Locale.ROOT, "%-" + width + "s  %10s  %s%n", m.id(), human(m.sizeBytes()), m.name());
        }
        return 0;
    }

    private static String next(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
