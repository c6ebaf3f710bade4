package dev.sluice.internal.text;

import java.nio.charset.StandardCharsets;

/**
 * Text as the proxy holds what a request or response carries: one char per byte (Latin-1). A configuration's text
 * (a regex, a map's key) is written in Unicode and read as UTF-8 bytes, as nginx reads its files byte by byte, so
 * that {@code é} in a location matches the two bytes a client sends for it.
 */
public final class ByteText {

    private ByteText() {
    }

    /** {@code text}'s UTF-8 bytes, one char each; {@code text} itself when it is ASCII. */
    public static String of(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 0x7f) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            }
        }
        return text;
    }

    /** {@code text} with ASCII letters lowercased and every other char as it is, as nginx folds case. */
    public static String lowerAscii(CharSequence text) {
        StringBuilder lower = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (lower == null) {
                    lower = new StringBuilder(text);
                }
                lower.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return lower == null ? text.toString() : lower.toString();
    }
}
