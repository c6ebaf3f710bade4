package dev.sluice;

import dev.sluice.internal.http.FieldText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A response the proxy sends itself instead of proxying: nginx's {@code return}, or what a {@link ProxyHandler}
 * answers (a 401, a redirect, a health check). Immutable.
 *
 * <p>{@link #of(int)} sends nginx's built-in page for the status (as {@code return 403;} does, none for a status
 * nginx has none for, such as 200); {@link #of(int, String)} sends text with {@code Content-Type: text/plain};
 * {@link #redirect} sends a {@code Location} and nginx's page as {@code return 302 URL;}; {@link #reroute} routes the
 * request again, as nginx's internal redirect. The connection stays open when the client's does.
 */
public final class Answer {

    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;
    private final CompletionStage<Answer> later;
    private final String reroute;

    private Answer(int status, List<Map.Entry<String, String>> headers, byte[] body, CompletionStage<Answer> later,
            String reroute) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.later = later;
        this.reroute = reroute;
    }

    /**
     * An answer that comes later, for a hook that needs I/O (an auth service, a look-up), as nginx's {@code
     * auth_request}: the exchange waits without blocking its event loop until {@code stage} completes, then goes
     * on with its result on its own loop: null to proxy the request, or the answer to send. A stage that fails, or
     * does not complete within the route's {@code hookTimeout}, costs the client a 500.
     */
    public static Answer after(CompletionStage<Answer> stage) {
        return new Answer(0, List.of(), null, Objects.requireNonNull(stage, "stage"), null);
    }

    /**
     * An answer with {@code status} and nginx's built-in page for it: an empty body for a status nginx has no page
     * for (below 400 but a redirect, and a few more: 407, 418, 506, ...).
     */
    public static Answer of(int status) {
        return new Answer(checked(status), List.of(), null, null, null);
    }

    /** An answer with {@code status} and {@code text} as a {@code text/plain} body. */
    public static Answer of(int status, String text) {
        return builder(status).header("Content-Type", "text/plain").body(text).build();
    }

    /** A redirect ({@code 301, 302, 303, 307, 308}) to {@code location}. */
    public static Answer redirect(int status, String location) {
        if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
            throw new IllegalArgumentException("a redirect is 301, 302, 303, 307 or 308: " + status);
        }
        return builder(status).header("Location", Objects.requireNonNull(location, "location")).build();
    }

    /**
     * nginx's internal redirect, as its {@code index} module makes one for a directory: the request is routed
     * again as if it had asked for {@code target}, an origin-form target ({@code /app/index.html}, with {@code
     * ?query} to replace the arguments), escaped as it would be sent. Its method, fields and body stay; its {@code
     * $uri} and arguments are the new target's, {@code $request_uri} and the access log's request line what the
     * client sent. The route that matches the new target serves it: its handler is asked (its limits apply when the
     * routes before had none), then its file, answer or upstream. A target {@code @NAME} is the named route of that
     * name ({@link Route.Match#NAMED}), the request's target unchanged, as nginx's named locations. A request
     * rerouted more than 10 times is a 500, as nginx ends a cycle of internal redirects, and so is one to a named
     * route its server lacks; one whose target no route matches is a 404. Only {@link ProxyHandler#onRequest} may
     * answer so.
     *
     * @throws IllegalArgumentException unless {@code target} starts with '/' and holds no space, control or
     *     character beyond one byte (a byte beyond ASCII stands as one char, as a received target's does), or is
     *     {@code @} and a name of letters, digits, '_', '-' or '.'
     */
    public static Answer reroute(String target) {
        Objects.requireNonNull(target, "target");
        if (!RouteLocation.isName(target) && (target.isEmpty() || target.charAt(0) != '/'
                || !target.chars().allMatch(c -> c > ' ' && c != 0x7f && c <= 0xff))) {
            throw new IllegalArgumentException("a reroute's target is an escaped path starting with '/', or a named"
                    + " route: " + target);
        }
        return new Answer(0, List.of(), null, null, target);
    }

    /** Builds an answer with fields and a body of the caller's. */
    public static Builder builder(int status) {
        return new Builder(checked(status));
    }

    private static int checked(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("an answer's status is 200 to 599: " + status);
        }
        return status;
    }

    /** The status; 0 for an answer that comes {@link #after} a stage or is a {@link #reroute}. */
    public int status() {
        return status;
    }

    /** The stage of an answer made by {@link #after}, or null: what the proxy waits for. */
    public CompletionStage<Answer> later() {
        return later;
    }

    /** The target of an answer made by {@link #reroute}, or null. */
    public String reroute() {
        return reroute;
    }

    /** The fields of the answer besides those the proxy writes (Content-Length, Connection, Date, Server). */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The body, or null for nginx's built-in page of the status. */
    public byte[] body() {
        return body == null ? null : body.clone();
    }

    @Override
    public String toString() {
        if (later != null) {
            return "Answer[later]";
        }
        if (reroute != null) {
            return "Answer[reroute " + reroute + "]";
        }
        return "Answer[" + status + ", " + headers + (body == null ? "" : ", " + body.length + " bytes") + "]";
    }

    /** Builds an {@link Answer}. */
    public static final class Builder {

        private final int status;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private byte[] body;

        private Builder(int status) {
            this.status = status;
        }

        /** Adds a field; names and values must be field text (no CR, LF or NUL). */
        public Builder header(String name, String value) {
            headers.add(Map.entry(FieldText.name(name), FieldText.value(value)));
            return this;
        }

        /** The body, sent with its Content-Length; default: nginx's built-in page for the status. */
        public Builder body(byte[] bytes) {
            this.body = Objects.requireNonNull(bytes, "body").clone();
            return this;
        }

        /** The body as UTF-8 text. */
        public Builder body(String text) {
            return body(Objects.requireNonNull(text, "body").getBytes(StandardCharsets.UTF_8));
        }

        public Answer build() {
            return new Answer(status, List.copyOf(headers), body, null, null);
        }
    }
}
