package io.herd.engine.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Parsed {@code --name value} options and {@code --flag}s of one sub-command. */
final class CommandLine {

    private final String command;
    private final Map<String, List<String>> values = new HashMap<>();

    private CommandLine(String command) {
        this.command = command;
    }

    /**
     * @param valued     options that take a value
     * @param repeatable valued options that may be given more than once
     * @param flags      options without a value
     */
    static CommandLine parse(String command, List<String> args, Set<String> valued, Set<String> repeatable, Set<String> flags)
            throws UsageException {
        CommandLine line = new CommandLine(command);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg;
            String inlineValue = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                inlineValue = arg.substring(equals + 1);
            }
            if (flags.contains(name) && inlineValue == null) {
                line.values.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(name)) {
                String value = inlineValue;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException(name + " needs a value");
                    }
                    value = args.get(++i);
                }
                List<String> existing = line.values.computeIfAbsent(name, k -> new ArrayList<>());
                if (!existing.isEmpty() && !repeatable.contains(name)) {
                    throw new UsageException(name + " is given more than once");
                }
                existing.add(value);
            } else if (arg.startsWith("-")) {
                throw new UsageException("unknown option " + name + " for '" + command + "'");
            } else {
                throw new UsageException("unexpected argument '" + arg + "' for '" + command + "'; options take the form --name value");
            }
        }
        return line;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Optional<String> string(String name) {
        List<String> list = values.get(name);
        return list == null ? Optional.empty() : Optional.of(list.getFirst());
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    String required(String name) throws UsageException {
        return string(name).orElseThrow(() -> new UsageException("'" + command + "' needs " + name));
    }

    Optional<Path> path(String name) {
        return string(name).map(Path::of);
    }

    Optional<Integer> integer(String name) throws UsageException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(value.get().strip()));
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, was '" + value.get() + "'");
        }
    }

    Optional<Long> longValue(String name) throws UsageException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(value.get().strip()));
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, was '" + value.get() + "'");
        }
    }

    Optional<Double> number(String name) throws UsageException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Double.parseDouble(value.get().strip()));
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, was '" + value.get() + "'");
        }
    }
}
