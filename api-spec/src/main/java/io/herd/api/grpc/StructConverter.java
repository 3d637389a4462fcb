package io.herd.api.grpc;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Free-form JSON (tool schemas, metadata, extra_body) between its Java forms (Jackson trees, plain maps)
 * and {@code google.protobuf.Struct}. Numbers travel as doubles, as in JSON; integral values come back as longs.
 */
public final class StructConverter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StructConverter() {
    }

    public static Struct toStruct(JsonNode node) {
        Struct.Builder struct = Struct.newBuilder();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                struct.putFields(field.getKey(), toValue(field.getValue()));
            }
        }
        return struct.build();
    }

    public static Value toValue(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
        }
        if (node.isObject()) {
            return Value.newBuilder().setStructValue(toStruct(node)).build();
        }
        if (node.isArray()) {
            ListValue.Builder list = ListValue.newBuilder();
            node.forEach(element -> list.addValues(toValue(element)));
            return Value.newBuilder().setListValue(list).build();
        }
        if (node.isBoolean()) {
            return Value.newBuilder().setBoolValue(node.booleanValue()).build();
        }
        if (node.isNumber()) {
            return Value.newBuilder().setNumberValue(node.doubleValue()).build();
        }
        return Value.newBuilder().setStringValue(node.asString()).build();
    }

    public static ObjectNode toJson(Struct struct) {
        ObjectNode object = NODES.objectNode();
        struct.getFieldsMap().forEach((key, value) -> object.set(key, toJson(value)));
        return object;
    }

    public static JsonNode toJson(Value value) {
        return switch (value.getKindCase()) {
            case STRUCT_VALUE -> toJson(value.getStructValue());
            case LIST_VALUE -> {
                ArrayNode array = NODES.arrayNode();
                value.getListValue().getValuesList().forEach(v -> array.add(toJson(v)));
                yield array;
            }
            case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
            case NUMBER_VALUE -> isIntegral(value.getNumberValue())
                    ? NODES.numberNode((long) value.getNumberValue())
                    : NODES.numberNode(value.getNumberValue());
            case STRING_VALUE -> NODES.stringNode(value.getStringValue());
            case NULL_VALUE, KIND_NOT_SET -> NODES.nullNode();
        };
    }

    public static Struct toStruct(Map<String, ?> map) {
        Struct.Builder struct = Struct.newBuilder();
        if (map != null) {
            map.forEach((key, value) -> struct.putFields(key, toValue(value)));
        }
        return struct.build();
    }

    public static Value toValue(Object value) {
        return switch (value) {
            case null -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case JsonNode node -> toValue(node);
            case Map<?, ?> map -> {
                Struct.Builder struct = Struct.newBuilder();
                map.forEach((k, v) -> struct.putFields(String.valueOf(k), toValue(v)));
                yield Value.newBuilder().setStructValue(struct).build();
            }
            case Iterable<?> items -> {
                ListValue.Builder list = ListValue.newBuilder();
                items.forEach(item -> list.addValues(toValue(item)));
                yield Value.newBuilder().setListValue(list).build();
            }
            case Boolean b -> Value.newBuilder().setBoolValue(b).build();
            case Number n -> Value.newBuilder().setNumberValue(n.doubleValue()).build();
            default -> Value.newBuilder().setStringValue(value.toString()).build();
        };
    }

    public static Map<String, Object> toMap(Struct struct) {
        Map<String, Object> map = new LinkedHashMap<>();
        struct.getFieldsMap().forEach((key, value) -> map.put(key, toObject(value)));
        return map;
    }

    public static Object toObject(Value value) {
        return switch (value.getKindCase()) {
            case STRUCT_VALUE -> toMap(value.getStructValue());
            case LIST_VALUE -> {
                List<Object> list = new ArrayList<>();
                value.getListValue().getValuesList().forEach(v -> list.add(toObject(v)));
                yield list;
            }
            case BOOL_VALUE -> value.getBoolValue();
            case NUMBER_VALUE -> isIntegral(value.getNumberValue()) ? (Object) (long) value.getNumberValue() : value.getNumberValue();
            case STRING_VALUE -> value.getStringValue();
            case NULL_VALUE, KIND_NOT_SET -> null;
        };
    }

    private static boolean isIntegral(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15;
    }
}
