package dev.sluice.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * nginx's {@code proxy_redirect default} for one route: a {@code Location} field that starts with the route's {@code
 * proxy_pass} URL (its pattern), or the {@code url=} of a {@code Refresh} field, gets the replacement in its
 * place. Without a URI part the URL is {@code http://GROUP/} and the replacement {@code /}; with one, the whole URL
 * and the route's path ({@code ngx_http_proxy_merge_loc_conf}).
 */
public final class RedirectRewrite {

    private static final byte[] URL = {'u', 'r', 'l', '='};

    private final byte[] pattern;
    private final String replacement;

    private RedirectRewrite(String pattern, String replacement) {
        this.pattern = pattern.getBytes(StandardCharsets.ISO_8859_1);
        this.replacement = replacement;
    }

    /**
     * The rewrite of a location that proxies to {@code url} ({@code http://GROUP} or {@code https://GROUP}) with the
     * URI part {@code passUri} (null for none) on the path {@code location}.
     */
    public static RedirectRewrite of(String url, String passUri, String location) {
        return passUri == null ? new RedirectRewrite(url + "/", "/") : new RedirectRewrite(url + passUri, location);
    }

    /**
     * Writes field {@code index} rewritten when it is a {@code Location} or {@code Refresh} whose URL starts with the
     * pattern; returns false, having written nothing, for any other field.
     */
    public boolean write(ByteBuffer dst, HttpFields fields, int index) {
        int from;
        if (fields.nameEquals(index, "Location")) {
            from = fields.valueStart(index);
        } else if (fields.nameEquals(index, "Refresh")) {
            from = urlStart(fields, index);
        } else {
            return false;
        }
        if (from < 0 || !startsWithPattern(fields.buffer(), from, fields.valueEnd(index))) {
            return false;
        }
        HeadWriter.copyFieldReplacing(dst, fields, index, from, from + pattern.length, replacement);
        return true;
    }

    /** Where the URL of a {@code Refresh} value begins, after its first {@code url=} in any case; -1 without one. */
    private static int urlStart(HttpFields fields, int index) {
        byte[] buffer = fields.buffer();
        int end = fields.valueEnd(index) - URL.length;
        for (int i = fields.valueStart(index); i <= end; i++) {
            int j = 0;
            while (j < URL.length && (buffer[i + j] | 0x20) == URL[j]) {
                j++;
            }
            if (j == URL.length) {
                return i + URL.length;
            }
        }
        return -1;
    }

    private boolean startsWithPattern(byte[] buffer, int from, int end) {
        if (end - from < pattern.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            if (buffer[from + i] != pattern[i]) {
                return false;
            }
        }
        return true;
    }
}
