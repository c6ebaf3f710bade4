package dev.sluice.internal.proxy;

import dev.sluice.internal.http.FieldText;
import dev.sluice.internal.http.HeadWriter;
import dev.sluice.internal.http.HttpFields;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Field edits a handler asked for on a head the proxy writes: names whose fields are dropped, and fields added at
 * the end. A set is a drop and an add; a later remove drops an earlier add. The fields that frame the message or
 * manage the connection stay the proxy's and cannot be edited.
 */
final class FieldEdits {

    private static final List<String> PROXY_OWNED = List.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "upgrade", "te", "trailer", "proxy-connection");

    private final List<String> dropped = new ArrayList<>(4);
    private final List<Map.Entry<String, String>> added = new ArrayList<>(4);

    void clear() {
        dropped.clear();
        added.clear();
    }

    void set(String name, String value) {
        remove(name);
        add(name, value);
    }

    void add(String name, String value) {
        added.add(Map.entry(editable(name), FieldText.value(value)));
    }

    void remove(String name) {
        String lower = editable(name).toLowerCase(Locale.ROOT);
        if (!dropped.contains(lower)) {
            dropped.add(lower);
        }
        added.removeIf(e -> e.getKey().equalsIgnoreCase(name));
    }

    private static String editable(String name) {
        FieldText.name(name);
        if (PROXY_OWNED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(name + " frames the message or manages the connection: it stays the"
                    + " proxy's");
        }
        return name;
    }

    /** Whether field {@code index} of {@code fields} is dropped. */
    boolean drops(HttpFields fields, int index) {
        for (int i = 0; i < dropped.size(); i++) {
            if (fields.nameEquals(index, dropped.get(i))) {
                return true;
            }
        }
        return false;
    }

    /** Whether fields named {@code name} are dropped. */
    boolean drops(String name) {
        for (int i = 0; i < dropped.size(); i++) {
            if (dropped.get(i).equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Writes the added fields. */
    void writeAdded(ByteBuffer dst) {
        for (int i = 0; i < added.size(); i++) {
            HeadWriter.field(dst, added.get(i).getKey(), added.get(i).getValue());
        }
    }
}
