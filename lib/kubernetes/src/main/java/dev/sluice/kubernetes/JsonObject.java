package dev.sluice.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON object read by {@link Json}, with its members typed as the Kubernetes API types them. An absent member
 * and a null one are the same (Go writes an empty list as null); a member of another type than asked is an error
 * that names it.
 */
final class JsonObject {

    private final Map<?, ?> members;
    private final String what;

    private JsonObject(Map<?, ?> members, String what) {
        this.members = members;
        this.what = what;
    }

    /** {@code value}, which {@code what} names in errors, as an object. */
    static JsonObject of(Object value, String what) throws JsonException {
        if (!(value instanceof Map)) {
            throw new JsonException(what + " is not an object");
        }
        return new JsonObject((Map<?, ?>) value, what);
    }

    /** The string member {@code name}, or null. */
    String string(String name) throws JsonException {
        return typed(name, String.class, "a string");
    }

    /** The string member {@code name}; an error when it is absent. */
    String requiredString(String name) throws JsonException {
        String value = string(name);
        if (value == null) {
            throw new JsonException(what + "." + name + " is missing");
        }
        return value;
    }

    /** The boolean member {@code name}, or null. */
    Boolean bool(String name) throws JsonException {
        return typed(name, Boolean.class, "a boolean");
    }

    /** The integer member {@code name}, or null. */
    Long integer(String name) throws JsonException {
        return typed(name, Long.class, "an integer");
    }

    /** The object member {@code name}, or null. */
    JsonObject object(String name) throws JsonException {
        Object value = members.get(name);
        return value == null ? null : of(value, what + "." + name);
    }

    /** The object member {@code name}; an error when it is absent. */
    JsonObject requiredObject(String name) throws JsonException {
        JsonObject value = object(name);
        if (value == null) {
            throw new JsonException(what + "." + name + " is missing");
        }
        return value;
    }

    /** The elements of array member {@code name}, each an object; empty when it is absent. */
    List<JsonObject> objects(String name) throws JsonException {
        List<JsonObject> objects = new ArrayList<>();
        for (Object element : array(name)) {
            objects.add(of(element, what + "." + name + "[" + objects.size() + "]"));
        }
        return objects;
    }

    /** The elements of array member {@code name}, each a string; empty when it is absent. */
    List<String> strings(String name) throws JsonException {
        List<String> strings = new ArrayList<>();
        for (Object element : array(name)) {
            if (!(element instanceof String)) {
                throw new JsonException(what + "." + name + "[" + strings.size() + "] is not a string");
            }
            strings.add((String) element);
        }
        return strings;
    }

    private List<?> array(String name) throws JsonException {
        List<?> value = typed(name, List.class, "an array");
        return value == null ? List.of() : value;
    }

    private <T> T typed(String name, Class<T> type, String article) throws JsonException {
        Object value = members.get(name);
        if (value != null && !type.isInstance(value)) {
            throw new JsonException(what + "." + name + " is not " + article);
        }
        return type.cast(value);
    }
}
