package dev.sluice.internal.http;

import java.util.Objects;

/**
 * Checks the field names and values a user's code gives the proxy to send ({@code Answer}, the handler's edits):
 * a name is a token, a value holds no CR, LF or NUL, so that no user value can split a head.
 */
public final class FieldText {

    private FieldText() {
    }

    /** {@code name}, if it is a field name token. */
    public static String name(String name) {
        Objects.requireNonNull(name, "field name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a field name is not empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c > 127 || !Ascii.isTchar((byte) c)) {
                throw new IllegalArgumentException("not a field name token: \"" + name + "\"");
            }
        }
        return name;
    }

    /** {@code value}, if it holds no CR, LF or NUL and no character beyond Latin-1. */
    public static String value(String value) {
        Objects.requireNonNull(value, "field value");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0 || c > 255) {
                throw new IllegalArgumentException("a field value holds no CR, LF, NUL or character beyond Latin-1: \""
                        + value.replace("\r", "\\r").replace("\n", "\\n") + "\"");
            }
        }
        return value;
    }
}
