package dev.sluice;

import java.util.regex.Pattern;

/**
 * One {@code proxy_redirect REDIRECT REPLACEMENT} line of a route ({@link Route.Builder#redirectRewrite(String,
 * String)}): a {@code Location} or {@code Refresh} URL that starts with {@code prefix}'s value gets {@code
 * replacement}'s value in place of that prefix; one that {@code regex} finds a match in (anywhere, unless it is
 * anchored) is replaced whole by {@code replacement}'s value, whose {@code $1} to {@code $9} are then the regex's
 * groups. Exactly one of {@code prefix} and {@code regex} is set;
 * {@link #DEFAULT} has neither and stands for {@code proxy_redirect default}.
 *
 * @param prefix the URL prefix, whose variables are the request's
 * @param regex the regex ({@code ~} or {@code ~*}), as nginx's PCRE matches
 * @param replacement what takes the place of what matched
 */
public record ProxyRedirect(ValueTemplate prefix, Pattern regex, ValueTemplate replacement) {

    /** {@code proxy_redirect default}: the route's {@code proxy_pass} URL becomes the route's path. */
    public static final ProxyRedirect DEFAULT = new ProxyRedirect(null, null, null);

    /**
     * @throws IllegalArgumentException unless exactly one of {@code prefix} and {@code regex} is set with a
     *     replacement, or none of the three is ({@link #DEFAULT})
     */
    public ProxyRedirect {
        if (replacement == null ? prefix != null || regex != null : (prefix == null) == (regex == null)) {
            throw new IllegalArgumentException("a redirect line has a prefix or a regex, and a replacement");
        }
    }

    /** Whether this is {@link #DEFAULT}. */
    public boolean isDefault() {
        return replacement == null;
    }
}
