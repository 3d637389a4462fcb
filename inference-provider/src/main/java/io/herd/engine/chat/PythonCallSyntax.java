package io.herd.engine.chat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Python call syntax Llama uses for tool calls: Llama 3.2's {@code [f(a=1, b="x"), g()]} and
 * Llama 3.1's built-in {@code brave_search.call(query="...")}. Arguments are keyword-only Python
 * literals (strings, numbers, True/False/None, lists, dicts), converted to JSON.
 */
final class PythonCallSyntax {

    record Call(String name, ObjectNode arguments) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String text;
    private int at;

    private PythonCallSyntax(String text) {
        this.text = text;
    }

    /** Parses {@code [call, call, ...]}; empty when the text is anything else. */
    static Optional<List<Call>> parseCallList(String text) {
        PythonCallSyntax parser = new PythonCallSyntax(text);
        try {
            List<Call> calls = parser.callList();
            parser.skipSpace();
            return parser.at == text.length() && !calls.isEmpty() ? Optional.of(calls) : Optional.empty();
        } catch (SyntaxError e) {
            return Optional.empty();
        }
    }

    /** Parses a single {@code name(...)} or {@code module.name(...)} call. */
    static Optional<Call> parseCall(String text) {
        PythonCallSyntax parser = new PythonCallSyntax(text);
        try {
            Call call = parser.call();
            parser.skipSpace();
            return parser.at == text.length() ? Optional.of(call) : Optional.empty();
        } catch (SyntaxError e) {
            return Optional.empty();
        }
    }

    /** {@code name(key=value, ...)} with the values written as Python literals. */
    static String renderCall(String name, JsonNode arguments) {
        StringBuilder out = new StringBuilder(name).append('(');
        if (arguments != null && arguments.isObject()) {
            int i = 0;
            for (Map.Entry<String, JsonNode> argument : arguments.properties()) {
                out.append(i++ > 0 ? ", " : "").append(argument.getKey()).append('=');
                literal(argument.getValue(), out);
            }
        }
        return out.append(')').toString();
    }

    private static void literal(JsonNode value, StringBuilder out) {
        if (value.isString()) {
            out.append(PrettyJson.MAPPER.writeValueAsString(value));
        } else if (value.isBoolean()) {
            out.append(value.booleanValue() ? "True" : "False");
        } else if (value.isNull()) {
            out.append("None");
        } else if (value.isArray()) {
            out.append('[');
            for (int i = 0; i < value.size(); i++) {
                out.append(i > 0 ? ", " : "");
                literal(value.get(i), out);
            }
            out.append(']');
        } else if (value.isObject()) {
            out.append('{');
            int i = 0;
            for (Map.Entry<String, JsonNode> entry : value.properties()) {
                out.append(i++ > 0 ? ", " : "").append(PrettyJson.MAPPER.writeValueAsString(entry.getKey())).append(": ");
                literal(entry.getValue(), out);
            }
            out.append('}');
        } else {
            out.append(value.toString());
        }
    }

    private static final class SyntaxError extends Exception {
        SyntaxError() {
            super(null, null, false, false);
        }
    }

    private List<Call> callList() throws SyntaxError {
        skipSpace();
        expect('[');
        List<Call> calls = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            at++;
            return calls;
        }
        while (true) {
            calls.add(call());
            skipSpace();
            char c = next();
            if (c == ']') {
                return calls;
            }
            if (c != ',') {
                throw new SyntaxError();
            }
        }
    }

    private Call call() throws SyntaxError {
        skipSpace();
        StringBuilder name = new StringBuilder(identifier());
        while (peek() == '.') {
            at++;
            name.append('.').append(identifier());
        }
        skipSpace();
        expect('(');
        ObjectNode arguments = NODES.objectNode();
        skipSpace();
        if (peek() == ')') {
            at++;
            return new Call(name.toString(), arguments);
        }
        while (true) {
            skipSpace();
            String key = identifier();
            skipSpace();
            expect('=');
            if (arguments.has(key)) {
                throw new SyntaxError();
            }
            arguments.set(key, value());
            skipSpace();
            char c = next();
            if (c == ')') {
                return new Call(name.toString(), arguments);
            }
            if (c != ',') {
                throw new SyntaxError();
            }
            skipSpace();
            if (peek() == ')') { // trailing comma
                at++;
                return new Call(name.toString(), arguments);
            }
        }
    }

    private JsonNode value() throws SyntaxError {
        skipSpace();
        char c = peek();
        if (c == '"' || c == '\'') {
            return NODES.stringNode(string());
        }
        if (c == '[' || c == '(') {
            char close = c == '[' ? ']' : ')';
            at++;
            ArrayNode array = NODES.arrayNode();
            skipSpace();
            if (peek() == close) {
                at++;
                return array;
            }
            while (true) {
                array.add(value());
                skipSpace();
                char d = next();
                if (d == close) {
                    return array;
                }
                if (d != ',') {
                    throw new SyntaxError();
                }
                skipSpace();
                if (peek() == close) {
                    at++;
                    return array;
                }
            }
        }
        if (c == '{') {
            at++;
            ObjectNode object = NODES.objectNode();
            skipSpace();
            if (peek() == '}') {
                at++;
                return object;
            }
            while (true) {
                skipSpace();
                JsonNode key = value();
                if (!key.isValueNode() || key.isNull()) {
                    throw new SyntaxError();
                }
                skipSpace();
                expect(':');
                object.set(key.isString() ? key.stringValue() : key.toString(), value());
                skipSpace();
                char d = next();
                if (d == '}') {
                    return object;
                }
                if (d != ',') {
                    throw new SyntaxError();
                }
            }
        }
        if (c == '-' || c == '+' || c == '.' || Character.isDigit(c)) {
            return number();
        }
        String word = identifier();
        return switch (word) {
            case "True", "true" -> NODES.booleanNode(true);
            case "False", "false" -> NODES.booleanNode(false);
            case "None", "null" -> NODES.nullNode();
            default -> throw new SyntaxError();
        };
    }

    private JsonNode number() throws SyntaxError {
        int start = at;
        if (peek() == '-' || peek() == '+') {
            at++;
        }
        while (at < text.length() && (Character.isDigit(text.charAt(at)) || "._eE".indexOf(text.charAt(at)) >= 0
                || ((text.charAt(at) == '-' || text.charAt(at) == '+') && "eE".indexOf(text.charAt(at - 1)) >= 0))) {
            at++;
        }
        String literal = text.substring(start, at).replace("_", "");
        try {
            if (literal.matches("[+-]?\\d+")) {
                return NODES.numberNode(new BigInteger(literal));
            }
            return NODES.numberNode(new BigDecimal(literal));
        } catch (NumberFormatException e) {
            throw new SyntaxError();
        }
    }

    private String string() throws SyntaxError {
        char quote = next();
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == quote) {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char escaped = next();
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '0' -> out.append('\0');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw new SyntaxError();
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException e) {
                        throw new SyntaxError();
                    }
                    at += 4;
                }
                default -> out.append(escaped); // \\ \' \" and unknown escapes keep the character
            }
        }
    }

    private String identifier() throws SyntaxError {
        int start = at;
        if (at < text.length() && (Character.isLetter(text.charAt(at)) || text.charAt(at) == '_')) {
            at++;
            while (at < text.length() && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
                at++;
            }
        }
        if (start == at) {
            throw new SyntaxError();
        }
        return text.substring(start, at);
    }

    private void skipSpace() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private char next() throws SyntaxError {
        if (at >= text.length()) {
            throw new SyntaxError();
        }
        return text.charAt(at++);
    }

    private void expect(char c) throws SyntaxError {
        if (next() != c) {
            throw new SyntaxError();
        }
    }
}
