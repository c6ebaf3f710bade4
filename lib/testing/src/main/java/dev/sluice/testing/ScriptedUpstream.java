package dev.sluice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A raw-socket HTTP/1.1 server for proxy integration tests whose answers and faults are scripted one
 * line each, in the spirit of OkHttp's MockWebServer socket effects.
 *
 * <p>It listens on 127.0.0.1 with an ephemeral port, reads each request just far enough to frame it
 * (request line, headers, Content-Length or chunked body), records it with its exact raw bytes, and
 * answers with the next {@link Response} from the script. When the script is empty it uses the default
 * responder: 200 with body {@code ok}, or {@link #echo()}, {@link #identity()}, {@link #defaultResponse}
 * or {@link #respondWith}. Connection policies ({@link #closeAfterRequests}, {@link #closeWhenIdle},
 * {@link #rstInsteadOfFin}) reproduce upstreams that drop kept-alive connections behind the proxy's back.
 *
 * <pre>{@code
 * try (ScriptedUpstream upstream = ScriptedUpstream.start()) {
 *     upstream.enqueue(Response.builder().status(503).body("busy"));
 *     upstream.enqueue(Response.builder().body("0123456789").resetMidBody(4));
 *     upstream.closeAfterRequests(2);
 *     // point the proxy at upstream.address() ...
 *     RecordedRequest first = upstream.takeRequest(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Parsing is deliberately plain: one request line with single spaces, header fields without obsolete
 * folding or whitespace before the colon, bare LF accepted as a line end, Transfer-Encoding (ending in
 * chunked) taking precedence over Content-Length, leading empty lines skipped. A request it cannot frame
 * is recorded with {@link RecordedRequest#parseError()}, answered 400 and the connection closed.
 * Requests with {@code Connection: close} (or HTTP/1.0 without keep-alive) are answered with
 * {@code Connection: close} and a FIN.
 *
 * <p>Everything is bounded: connections are served by a small pool of named daemon threads, every socket
 * read gives up after {@link #SAFETY_TIMEOUT}, and {@link #close()} closes every socket and waits for
 * the threads to finish.
 */
public final class ScriptedUpstream implements AutoCloseable {

    /** The longest any read, stall or idle wait lasts, so a broken test cannot hang the build. */
    public static final Duration SAFETY_TIMEOUT = Duration.ofSeconds(30);

    private final ServerSocket serverSocket;
    private final int port;
    private final UpstreamScript script = new UpstreamScript();
    private final RequestLog log = new RequestLog();
    private final UpstreamListener listener;

    private ScriptedUpstream(ServerSocket bound) {
        serverSocket = bound;
        port = serverSocket.getLocalPort();
        listener = new UpstreamListener(bound, "scripted-upstream-" + port);
        listener.start(new ConnectionHandler(listener, script, log));
    }

    /** Binds 127.0.0.1 on an ephemeral port and starts accepting connections. */
    public static ScriptedUpstream start() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            return new ScriptedUpstream(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a scripted upstream", e);
        }
    }

    /**
     * Starts accepting on a socket already bound, such as one of a {@link MemoryNetwork}; {@link #close()} closes
     * it. {@link #port()} is its port.
     */
    public static ScriptedUpstream start(ServerSocket bound) {
        return new ScriptedUpstream(bound);
    }

    /** The ephemeral port this upstream listens on. */
    public int port() {
        return port;
    }

    /** {@code "HOST:PORT"} of the listening socket (127.0.0.1 from {@link #start()}): an upstream server line. */
    public String address() {
        return serverSocket.getInetAddress().getHostAddress() + ":" + port;
    }

    /** The listening address as a socket address. */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(serverSocket.getInetAddress(), port);
    }

    // ------------------------------------------------------------------ script and policies

    /** Appends a response to the script; each request takes the next one. */
    public ScriptedUpstream enqueue(Response response) {
        script.enqueue(Objects.requireNonNull(response));
        return this;
    }

    /** Appends {@code builder.build()} to the script. */
    public ScriptedUpstream enqueue(Response.Builder builder) {
        return enqueue(builder.build());
    }

    /** Responses still waiting in the script. */
    public int queuedResponses() {
        return script.queued();
    }

    /** The response used for every request once the script is empty (initially 200 with body "ok"). */
    public ScriptedUpstream defaultResponse(Response response) {
        Objects.requireNonNull(response);
        script.respondWith(request -> response);
        return this;
    }

    /** Computes the response for each request once the script is empty. */
    public ScriptedUpstream respondWith(Function<RecordedRequest, Response> responder) {
        script.respondWith(Objects.requireNonNull(responder));
        return this;
    }

    /**
     * Once the script is empty, answers every request with 200 and the request's own raw bytes as the body,
     * so a test sees exactly what the proxy forwarded.
     */
    public ScriptedUpstream echo() {
        return respondWith(request -> Response.builder().body(request.raw()).build());
    }

    /**
     * Once the script is empty, answers every request with 200 and this upstream's port as the body (like
     * nginx's {@code return 200 $server_port}), so a test can tell which upstream served a request.
     */
    public ScriptedUpstream identity() {
        Response response = Response.ok(Integer.toString(port));
        return respondWith(request -> response);
    }

    /**
     * Closes each connection silently right after its n-th response, without announcing it with
     * {@code Connection: close}: the stale keep-alive trap. 0 turns the policy off.
     */
    public ScriptedUpstream closeAfterRequests(int n) {
        return closeAfterRequests(n, Duration.ZERO);
    }

    /**
     * {@link #closeAfterRequests(int)}, the close coming {@code delay} after the n-th response, with nothing
     * read or answered meanwhile: a server that takes that long to act on its limit, as a worker process that
     * exits after its last request. A request sent in that time meets the close.
     */
    public ScriptedUpstream closeAfterRequests(int n, Duration delay) {
        script.closeAfterRequests(n, delay);
        return this;
    }

    /**
     * Closes a connection silently when no byte of a request arrived for {@code idle} while waiting for
     * one (after a response, and also on a fresh connection), like an upstream's keep-alive timeout. Null
     * turns the policy off.
     */
    public ScriptedUpstream closeWhenIdle(Duration idle) {
        script.closeWhenIdle(idle);
        return this;
    }

    /** Makes the {@link #closeAfterRequests} and {@link #closeWhenIdle} closes send RST instead of FIN. */
    public ScriptedUpstream rstInsteadOfFin(boolean rst) {
        script.rstInsteadOfFin(rst);
        return this;
    }

    /**
     * Whether to answer {@code Expect: 100-continue} with an interim {@code 100 Continue} before reading
     * the request body, as real servers do (on by default).
     */
    public ScriptedUpstream autoContinue(boolean enabled) {
        script.autoContinue(enabled);
        return this;
    }

    // ------------------------------------------------------------------ observations

    /** Every request received so far, in arrival order (not consumed by {@link #takeRequest}). */
    public List<RecordedRequest> requests() {
        return log.all();
    }

    /** How many requests were received so far. */
    public int requestCount() {
        return log.count();
    }

    /** How many connections were accepted so far. */
    public int connectionsAccepted() {
        return listener.accepted();
    }

    /** How many connections are open right now. */
    public int openConnections() {
        return listener.openConnections();
    }

    /**
     * Removes and returns the oldest request not taken yet, waiting up to {@code timeout} for one to
     * arrive; null if none did.
     */
    public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
        return log.take(timeout);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return listener.isClosed();
    }

    /** Stops accepting, closes every connection and waits (bounded) for the worker threads to end. */
    @Override
    public void close() {
        listener.close();
    }

    @Override
    public String toString() {
        return "ScriptedUpstream[" + address() + "]";
    }

    // ------------------------------------------------------------------ responses

    /**
     * One scripted answer: a well-formed response shaped by the builder (status, headers, body, framing,
     * pacing) and optionally broken on purpose (cut mid-body, reset, never sent, or replaced by raw bytes).
     * Immutable, so one instance can be enqueued many times or used as the default.
     */
    public static final class Response {

        /** What this response does on the wire; nothing changes it. */
        final ResponsePlan plan;

        private Response(ResponsePlan plan) {
            this.plan = plan;
        }

        /** A builder for a 200 response with an empty body. */
        public static Builder builder() {
            return new Builder();
        }

        /** 200 with the given UTF-8 body and a Content-Length. */
        public static Response ok(String body) {
            return builder().body(body).build();
        }

        /** The status code. */
        public int status() {
            return plan.status;
        }

        /** The unframed body. */
        public byte[] body() {
            return plan.body.clone();
        }

        @Override
        public String toString() {
            return "Response[" + plan.kind + " " + plan.status + ", " + plan.body.length + " body bytes]";
        }

        /** Builds a {@link Response}; every method returns the builder, so each script entry is one line. */
        public static final class Builder {
            private final ResponsePlan plan = new ResponsePlan();

            private Builder() {
            }

            /** The status code; the reason phrase is the usual one. */
            public Builder status(int status) {
                if (status < 100 || status > 999) {
                    throw new IllegalArgumentException("status must have three digits: " + status);
                }
                plan.status = status;
                return this;
            }

            /** The status code with a custom reason phrase. */
            public Builder status(int status, String reason) {
                status(status);
                plan.reason = Objects.requireNonNull(reason);
                return this;
            }

            /**
             * Adds a header field, sent in the order added with the name spelled as given. Setting
             * Content-Length or Transfer-Encoding yourself turns off automatic framing (so a test can lie about
             * the length); setting Connection turns off the automatic {@code Connection: close}.
             */
            public Builder header(String name, String value) {
                plan.headers.add(Map.entry(Objects.requireNonNull(name), Objects.requireNonNull(value)));
                return this;
            }

            /** The body; framed with Content-Length unless chunked or set otherwise. */
            public Builder body(byte[] body) {
                plan.body = body.clone();
                return this;
            }

            /** The body as UTF-8. */
            public Builder body(String body) {
                return body(body.getBytes(StandardCharsets.UTF_8));
            }

            /** Sends the body with chunked transfer coding in chunks of {@code chunkSize} bytes. */
            public Builder chunked(int chunkSize) {
                if (chunkSize <= 0) {
                    throw new IllegalArgumentException("chunkSize must be positive");
                }
                plan.chunkSize = chunkSize;
                return this;
            }

            /** Adds {@code Keep-Alive: timeout=N}, the hint some upstreams give about their idle timeout. */
            public Builder keepAliveTimeout(int seconds) {
                return header("Keep-Alive", "timeout=" + seconds);
            }

            /**
             * Adds {@code Connection: close} (unless a Connection header was set) and closes the connection
             * with FIN after this response.
             */
            public Builder closeAfterResponse() {
                plan.closeAfterResponse = true;
                return this;
            }

            /** Sends the body with neither Content-Length nor chunking and delimits it by closing (FIN). */
            public Builder bodyUntilClose() {
                plan.bodyUntilClose = true;
                return this;
            }

            /** Waits this long after reading the request before answering (or before the scripted fault). */
            public Builder delayHead(Duration delay) {
                plan.delay = requireNonNegative(delay);
                return this;
            }

            /**
             * Drips the body (as framed on the wire): {@code bytesPerChunk} bytes, then a pause of
             * {@code period}, then the next bytes, and so on. A {@link #rawResponse} drips whole, head included.
             */
            public Builder throttleBody(int bytesPerChunk, Duration period) {
                if (bytesPerChunk <= 0) {
                    throw new IllegalArgumentException("bytesPerChunk must be positive");
                }
                plan.throttleBytes = bytesPerChunk;
                plan.throttlePeriod = requireNonNegative(period);
                return this;
            }

            /** Adds an {@code X-Oversized} header whose value is {@code n} bytes long. */
            public Builder headerOfSize(int n) {
                return header("X-Oversized", "x".repeat(n));
            }

            /**
             * Sends the head and the first {@code afterBytes} bytes of the body as framed on the wire, then
             * resets the connection (SO_LINGER 0 and close, so RST).
             */
            public Builder resetMidBody(int afterBytes) {
                return cut(afterBytes, true);
            }

            /** Like {@link #resetMidBody} but ends with an orderly close (FIN): a truncated body. */
            public Builder closeMidBody(int afterBytes) {
                return cut(afterBytes, false);
            }

            private Builder cut(int afterBytes, boolean reset) {
                if (afterBytes < 0) {
                    throw new IllegalArgumentException("afterBytes must be >= 0");
                }
                plan.cutAfter = afterBytes;
                plan.cutWithReset = reset;
                return this;
            }

            /** Reads the request, then closes the connection (FIN) without answering. */
            public Builder noResponse() {
                plan.kind = ResponsePlan.Kind.NO_RESPONSE;
                return this;
            }

            /** Reads the request, then resets the connection (RST) without answering. */
            public Builder resetOnRequest() {
                plan.kind = ResponsePlan.Kind.RESET_ON_REQUEST;
                return this;
            }

            /** Reads the request and never answers; the connection stays open until the upstream closes. */
            public Builder stallForever() {
                plan.kind = ResponsePlan.Kind.STALL;
                return this;
            }

            /**
             * Sends exactly these bytes instead of a built response (a malformed head, a 1xx followed by a
             * final response, two responses at once, ...). The connection then stays open for the next request
             * unless {@link #closeAfterResponse()} is set, in which case it is closed with FIN.
             */
            public Builder rawResponse(byte[] bytes) {
                plan.kind = ResponsePlan.Kind.RAW;
                plan.raw = bytes.clone();
                return this;
            }

            /** {@link #rawResponse(byte[])} with the text's ISO-8859-1 bytes. */
            public Builder rawResponse(String text) {
                return rawResponse(text.getBytes(StandardCharsets.ISO_8859_1));
            }

            /** The immutable response. */
            public Response build() {
                return new Response(plan.copy());
            }

            private static Duration requireNonNegative(Duration duration) {
                if (duration.isNegative()) {
                    throw new IllegalArgumentException("negative duration: " + duration);
                }
                return duration;
            }
        }
    }
}
