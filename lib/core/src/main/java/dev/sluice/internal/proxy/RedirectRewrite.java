package dev.sluice.internal.proxy;

import dev.sluice.ProxyRedirect;
import dev.sluice.Route;
import dev.sluice.ValueTemplate;
import dev.sluice.internal.http.HeadWriter;
import dev.sluice.internal.http.HttpFields;
import dev.sluice.internal.http.UriText;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * nginx's {@code proxy_redirect} lines of one route ({@code ngx_http_proxy_rewrite_redirect}): the URL of a {@code
 * Location} field, or the one after the first {@code url=} of a {@code Refresh} field, is rewritten by the first
 * line that matches it. A prefix line replaces the prefix; a regex line the whole URL. The {@code default} line is a
 * prefix line made from the route's {@code proxy_pass}: without a URI part its URL is {@code http://GROUP/} and the
 * replacement {@code /}; with one, the whole URL and the route's path ({@code ngx_http_proxy_merge_loc_conf}). A
 * rewritten URL that starts with {@code //} or {@code /\} is kept on the host ({@link UriText#keepOnHost}), where
 * nginx makes it absolute.
 */
final class RedirectRewrite {

    private static final String URL = "url=";

    private final ProxyRedirect[] lines;
    /** The default line's prefix and replacement, written out once; null without a default line. */
    private final String defaultPrefix;
    private final String defaultReplacement;

    private RedirectRewrite(ProxyRedirect[] lines, String defaultPrefix, String defaultReplacement) {
        this.lines = lines;
        this.defaultPrefix = defaultPrefix;
        this.defaultReplacement = defaultReplacement;
    }

    /**
     * The rewrite of {@code route}, which proxies to {@code url} ({@code http://GROUP} or {@code https://GROUP}), or
     * null when it has no line that can match: {@code off}, or only the default with a passUri that names variables
     * (nginx has no default then).
     */
    static RedirectRewrite of(Route route, String url) {
        List<ProxyRedirect> lines = new ArrayList<>(route.redirectRewrites());
        boolean hasDefault = lines.contains(ProxyRedirect.DEFAULT);
        if (route.passUriTemplate() != null) {
            lines.remove(ProxyRedirect.DEFAULT);
            hasDefault = false;
        }
        if (lines.isEmpty()) {
            return null;
        }
        String passUri = route.passUri();
        return new RedirectRewrite(lines.toArray(new ProxyRedirect[0]),
                !hasDefault ? null : passUri == null ? url + "/" : url + passUri,
                !hasDefault ? null : passUri == null ? "/" : route.prefix());
    }

    /**
     * Writes field {@code index} rewritten when it is a {@code Location} or {@code Refresh} whose URL a line matches;
     * returns false, having written nothing, for any other field. {@code variables} are the request's, {@code
     * scratch} a builder this may clear and use.
     */
    boolean write(ByteBuffer dst, HttpFields fields, int index, ValueTemplate.Variables variables,
            StringBuilder scratch) {
        boolean location = fields.nameEquals(index, "Location");
        if (!location && !fields.nameEquals(index, "Refresh")) {
            return false;
        }
        String value = fields.value(index);
        int from = location ? 0 : urlStart(value);
        if (from < 0) {
            return false;
        }
        for (ProxyRedirect line : lines) {
            scratch.setLength(0);
            int to = line.isDefault() ? defaultMatch(value, from, scratch)
                    : line.regex() == null ? prefixMatch(line, value, from, variables, scratch)
                    : regexMatch(line, value, from, variables, scratch);
            if (to >= 0) {
                scratch.append(value, to, value.length());
                UriText.keepOnHost(scratch); // the URL http://app//evil.com rewritten is no //evil.com
                scratch.insert(0, value, 0, from);
                HeadWriter.field(dst, fields.name(index), scratch);
                return true;
            }
        }
        return false;
    }

    /** The end of the default prefix at {@code from}, its replacement in {@code out}; -1 when it does not match. */
    private int defaultMatch(String value, int from, StringBuilder out) {
        if (!value.startsWith(defaultPrefix, from)) {
            return -1;
        }
        out.append(defaultReplacement);
        return from + defaultPrefix.length();
    }

    private static int prefixMatch(ProxyRedirect line, String value, int from, ValueTemplate.Variables variables,
            StringBuilder out) {
        line.prefix().appendTo(out, variables);
        int length = out.length();
        if (value.length() - from < length || !value.regionMatches(from, out.toString(), 0, length)) {
            return -1;
        }
        out.setLength(0);
        line.replacement().appendTo(out, variables);
        return from + length;
    }

    private static int regexMatch(ProxyRedirect line, String value, int from, ValueTemplate.Variables variables,
            StringBuilder out) {
        Matcher matcher = line.regex().matcher(value).region(from, value.length());
        if (!matcher.find()) {
            return -1;
        }
        line.replacement().appendTo(out, ValueTemplate.withGroups(matcher, variables));
        return value.length();
    }

    /** Where the URL of a {@code Refresh} value begins, after its first {@code url=} in any case; -1 without one. */
    private static int urlStart(String value) {
        for (int i = 0; i + URL.length() <= value.length(); i++) {
            if (value.regionMatches(true, i, URL, 0, URL.length())) {
                return i + URL.length();
            }
        }
        return -1;
    }
}
