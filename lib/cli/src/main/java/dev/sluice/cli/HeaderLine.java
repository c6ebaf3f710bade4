package dev.sluice.cli;

/**
 * One {@code --proxy-set-header} value, nginx's {@code proxy_set_header NAME VALUE}: the name, then everything
 * after the first run of spaces as the value. A value wrapped in matching quotes loses them, so nginx's {@code
 * Connection ""} ports as written; an empty or missing value removes the field, as in nginx.
 *
 * @param name the field name; whether it is a valid token is the library's to check
 * @param value the value template, such as {@code $remote_addr}; empty to remove the field
 */
record HeaderLine(String name, String value) {

    /**
     * Reads a header line.
     *
     * @throws IllegalArgumentException when the name is missing
     */
    static HeaderLine parse(String text) {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("expected 'NAME VALUE', got \"" + text + "\"");
        }
        int space = 0;
        while (space < trimmed.length() && !Character.isWhitespace(trimmed.charAt(space))) {
            space++;
        }
        String value = trimmed.substring(space).strip();
        if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            value = value.substring(1, value.length() - 1);
        }
        return new HeaderLine(trimmed.substring(0, space), value);
    }
}
