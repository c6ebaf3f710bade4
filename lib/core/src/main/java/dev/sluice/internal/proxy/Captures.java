package dev.sluice.internal.proxy;

import dev.sluice.internal.http.UriText;
import java.util.regex.Matcher;

/**
 * The groups a regex route's pattern captured from the request's path: nginx's {@code $1} to {@code $9}. Empty for
 * a request another kind of route serves. One per client connection, refilled for each request.
 */
final class Captures {

    private static final int MAX = 9;

    private final String[] groups = new String[MAX + 1];
    private int count;

    /** No captures: the request's route is not a regex route. */
    void clear() {
        count = 0;
    }

    /** Keeps the groups {@code matcher} captured, which must not outlive the text it matched. */
    void keep(Matcher matcher) {
        count = Math.min(matcher.groupCount(), MAX);
        for (int i = 1; i <= count; i++) {
            groups[i] = matcher.group(i);
        }
    }

    /**
     * Appends group {@code n} (1 to 9), its controls, spaces and DEL as %XX as {@code $uri} writes them, so that a
     * capture is always a valid field value and request-line part; nothing when there is no such group or it
     * matched nothing.
     */
    void appendTo(int n, StringBuilder out) {
        if (n >= 1 && n <= count && groups[n] != null) {
            UriText.appendPath(out, groups[n]);
        }
    }
}
