package dev.sluice.kubernetes;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON reader on any bytes: it either refuses them with a {@link JsonException} (nothing else escapes, and it
 * ends: nesting is bounded) or returns a value made only of maps, lists, strings, longs, finite doubles, booleans and
 * nulls, which, written again as JSON, reads back equal.
 *
 * <p>The target of {@link JsonFuzzTest}.
 */
final class JsonFuzzer {

    private JsonFuzzer() {
    }

    /** One input; a broken invariant throws an {@link AssertionError}. */
    public static void fuzzerTestOneInput(byte[] data) {
        Object value;
        try {
            value = Json.parse(data);
        } catch (JsonException refused) {
            return;
        }
        String written = write(value, new StringBuilder()).toString();
        Object again;
        try {
            again = Json.parse(written.getBytes(StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new AssertionError("what it read, written again, is refused: " + written, e);
        }
        if (!Objects.equals(value, again)) {
            throw new AssertionError("read back differently: " + written);
        }
    }

    private static StringBuilder write(Object value, StringBuilder out) {
        if (value == null || value instanceof Boolean || value instanceof Long) {
            return out.append(value);
        } else if (value instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                throw new AssertionError("a number JSON cannot hold: " + d);
            }
            return out.append(d);
        } else if (value instanceof String s) {
            out.append('"');
            s.chars().forEach(c -> out.append(c == '"' || c == '\\' || c < 0x20 ? String.format("\\u%04x", c)
                    : Character.toString(c)));
            return out.append('"');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                write(list.get(i), i == 0 ? out : out.append(','));
            }
            return out.append(']');
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            String comma = "";
            for (Map.Entry<?, ?> member : map.entrySet()) {
                write(member.getValue(), write(member.getKey(), out.append(comma)).append(':'));
                comma = ",";
            }
            return out.append('}');
        }
        throw new AssertionError("a value of type " + value.getClass());
    }
}
