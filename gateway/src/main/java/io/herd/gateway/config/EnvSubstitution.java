package io.herd.gateway.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Llama Stack's environment references in {@code config.yaml} string values:
 * {@code ${env.X}} (required), {@code ${env.X:=default}} (default when X is unset or empty) and
 * {@code ${env.X:+value}} (value only when X is set, else empty). A scalar that is exactly one reference
 * takes the YAML type of its result (so {@code port: ${env.PORT:=8321}} is a number) and becomes null
 * when the result is empty, which is how a provider is switched off.
 */
final class EnvSubstitution {

    private static final Pattern REFERENCE =
            Pattern.compile("\\$\\{env\\.([A-Za-z_][A-Za-z0-9_]*)(?:(:=|:\\+)([^}]*))?}");
    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern FLOAT = Pattern.compile("[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.[0-9]*)([eE][-+]?[0-9]+)?");

    private final Function<String, String> environment;

    EnvSubstitution(Function<String, String> environment) {
        this.environment = environment;
    }

    Object apply(Object node, String path) {
        return switch (node) {
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), apply(v, join(path, String.valueOf(k)))));
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    out.add(apply(list.get(i), path + "[" + i + "]"));
                }
                yield out;
            }
            case String s -> substitute(s, path);
            case null -> null;
            default -> node;
        };
    }

    private Object substitute(String value, String path) {
        Matcher m = REFERENCE.matcher(value);
        if (!m.find()) {
            return value;
        }
        boolean whole = m.start() == 0 && m.end() == value.length();
        StringBuilder out = new StringBuilder();
        m.reset();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(resolve(m, path)));
        }
        m.appendTail(out);
        String result = out.toString();
        return whole ? typed(result) : result;
    }

    private String resolve(Matcher m, String path) {
        String name = m.group(1);
        String operator = m.group(2);
        String argument = m.group(3) == null ? "" : m.group(3);
        String current = environment.apply(name);
        boolean set = current != null && !current.isEmpty();
        if (operator == null) {
            if (!set) {
                throw new ConfigException(path + ": environment variable " + name
                        + " is not set (write ${env." + name + ":=default} to give a default)");
            }
            return current;
        }
        return switch (operator) {
            case ":=" -> set ? current : argument;
            case ":+" -> set ? argument : "";
            default -> throw new IllegalStateException(operator);
        };
    }

    private static Object typed(String s) {
        if (s.isEmpty()) {
            return null;
        }
        if (INTEGER.matcher(s).matches()) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException tooLong) {
                return s;
            }
        }
        if (FLOAT.matcher(s).matches()) {
            return Double.parseDouble(s);
        }
        return switch (s) {
            case "true", "True", "TRUE" -> Boolean.TRUE;
            case "false", "False", "FALSE" -> Boolean.FALSE;
            case "null", "~" -> null;
            default -> s;
        };
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
