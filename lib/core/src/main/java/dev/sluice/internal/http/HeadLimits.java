package dev.sluice.internal.http;

/**
 * Size limits for one message head, mirroring nginx's {@code large_client_header_buffers 4 8k} for requests (the
 * request line and every field line must fit one 8 KiB buffer, the whole head four of them) and
 * {@code proxy_buffer_size 4k} for upstream responses. Sizes count every byte including CRLFs.
 *
 * <p>A request line over its limit is answered 414, a field line or head over its limit
 * {@link HttpStatus#HEADER_TOO_LARGE}; an upstream head over any limit is an invalid header (502).
 */
public final class HeadLimits {

    /** Request heads: request line ≤ 8 KiB, each field line ≤ 8 KiB, whole head ≤ 32 KiB. */
    public static final HeadLimits REQUEST_DEFAULT = new HeadLimits(8192, 8192, 32768);

    /** Upstream response heads: everything within one 4 KiB buffer, as nginx's default proxy_buffer_size. */
    public static final HeadLimits RESPONSE_DEFAULT = new HeadLimits(4096, 4096, 4096);

    private static final int MIN = 16;

    private final int maxStartLine;
    private final int maxFieldLine;
    private final int maxHead;

    private HeadLimits(int maxStartLine, int maxFieldLine, int maxHead) {
        this.maxStartLine = maxStartLine;
        this.maxFieldLine = maxFieldLine;
        this.maxHead = maxHead;
    }

    /**
     * Limits in bytes, each including line terminators.
     *
     * @param maxStartLine the longest request line or status line
     * @param maxFieldLine the longest single field line
     * @param maxHead the longest whole head, start line to the final empty line; at least each of the others
     * @throws IllegalArgumentException naming the option when a value is below 16 or larger than {@code maxHead}
     */
    public static HeadLimits of(int maxStartLine, int maxFieldLine, int maxHead) {
        check("maxHead", maxHead, maxHead);
        check("maxStartLine", maxStartLine, maxHead);
        check("maxFieldLine", maxFieldLine, maxHead);
        return new HeadLimits(maxStartLine, maxFieldLine, maxHead);
    }

    private static void check(String option, int value, int maxHead) {
        if (value < MIN) {
            throw new IllegalArgumentException(option + " must be at least " + MIN + ": " + value);
        }
        if (value > maxHead) {
            throw new IllegalArgumentException(option + " must not exceed maxHead " + maxHead + ": " + value);
        }
    }

    /** The longest request line or status line, CRLF included. */
    public int maxStartLine() {
        return maxStartLine;
    }

    /** The longest field line, CRLF included. */
    public int maxFieldLine() {
        return maxFieldLine;
    }

    /** The longest head, CRLFs and the final empty line included. */
    public int maxHead() {
        return maxHead;
    }

    @Override
    public String toString() {
        return "HeadLimits[startLine=" + maxStartLine + ", fieldLine=" + maxFieldLine + ", head=" + maxHead + "]";
    }
}
