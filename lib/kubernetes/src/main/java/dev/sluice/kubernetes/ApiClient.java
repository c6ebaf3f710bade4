package dev.sluice.kubernetes;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two requests a {@link SliceWatcher} makes of the API server: list a Service's EndpointSlices, and watch them
 * from a resource version. Each carries the token as it is now; a 410 is a {@link GoneException}, any other status
 * but 200 an {@link IOException} with the server's message. The HTTP client, and its TLS context, are made at the
 * first request (an unreadable CA file fails that request, and the next one tries again).
 *
 * <p>Every response body has a deadline, past which it is closed: a list's or an error's {@value
 * #BODY_TIMEOUT_SECONDS} s, a watch's its {@code timeoutSeconds} and a grace, so that a connection that died
 * without a word ends a read. Closing the client closes the body being read, from any thread.
 */
final class ApiClient implements AutoCloseable {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a request waits for the response's head. */
    static final Duration HEAD_TIMEOUT = Duration.ofSeconds(30);
    /** How long a list's body, or an error's, may take to arrive. */
    static final long BODY_TIMEOUT_SECONDS = 60;
    /** The most of an error response's body read for its message. */
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private final SliceSource source;
    /** The collection's URI with the Service's label selector, to which a query's other parameters are added. */
    private final String slices;
    private HttpClient client;
    /** The body being read, closed by {@link #close()}. */
    private InputStream reading;
    private boolean closed;

    ApiClient(SliceSource source) {
        this.source = source;
        String base = source.apiServer().toString().replaceAll("/+$", "");
        this.slices = base + "/apis/discovery.k8s.io/v1/namespaces/" + source.namespace() + "/endpointslices"
                + "?labelSelector=" + encode("kubernetes.io/service-name=" + source.service());
    }

    /** The list: the slices and the version to watch from. */
    record SliceList(String resourceVersion, List<JsonObject> items) {
    }

    /** Lists the Service's slices now (a consistent read). */
    SliceList list() throws IOException, InterruptedException {
        try (InputStream body = open(slices, Duration.ofSeconds(BODY_TIMEOUT_SECONDS))) {
            JsonObject list = JsonObject.of(Json.parse(body.readNBytes(Json.MAX_BYTES + 1)), "EndpointSliceList");
            return new SliceList(list.requiredObject("metadata").requiredString("resourceVersion"),
                    list.objects("items"));
        }
    }

    /**
     * Watches the Service's slices from {@code resourceVersion}, with bookmarks; the server ends the watch after
     * {@code timeoutSeconds}, and the stream closes itself {@code grace} after that if it has not.
     */
    WatchStream watch(String resourceVersion, long timeoutSeconds, Duration grace)
            throws IOException, InterruptedException {
        return new WatchStream(open(slices + "&watch=true&resourceVersion=" + encode(resourceVersion)
                + "&allowWatchBookmarks=true&timeoutSeconds=" + timeoutSeconds,
                Duration.ofSeconds(timeoutSeconds).plus(grace)));
    }

    /** The body of a 200 answer to {@code uri}, closed after {@code lifetime}. */
    private InputStream open(String uri, Duration lifetime) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(HEAD_TIMEOUT)
                .header("Accept", "application/json");
        String token = token();
        if (!token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> response = client().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() == 200) {
            return guard(response.body(), lifetime);
        }
        String message;
        try (InputStream body = guard(response.body(), Duration.ofSeconds(BODY_TIMEOUT_SECONDS))) {
            message = message(body.readNBytes(MAX_ERROR_BYTES));
        }
        if (response.statusCode() == 410) {
            throw new GoneException(message);
        }
        throw new IOException("HTTP " + response.statusCode() + ": " + message);
    }

    /** {@code body} as the one being read, closed by {@link #close()} or after {@code lifetime}. */
    private InputStream guard(InputStream body, Duration lifetime) throws IOException {
        synchronized (this) {
            if (!closed) {
                reading = body;
                // Run on the JDK's own timer thread, which only closes the stream.
                CompletableFuture<Void> deadline = CompletableFuture.runAsync(() -> closeQuietly(body),
                        CompletableFuture.delayedExecutor(lifetime.toMillis(), TimeUnit.MILLISECONDS, Runnable::run));
                return new FilterInputStream(body) {
                    @Override
                    public void close() throws IOException {
                        deadline.cancel(false);
                        super.close();
                    }
                };
            }
        }
        body.close();
        throw new IOException("closed");
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            // closing a response body only drops its connection
        }
    }

    /** Closes the body being read, if any, and any opened later. */
    @Override
    public void close() {
        InputStream body;
        synchronized (this) {
            closed = true;
            body = reading;
        }
        if (body != null) {
            closeQuietly(body);
        }
    }

    private String token() throws IOException {
        try {
            String token = source.token().get();
            if (token == null) {
                throw new IOException("the token supplier gave null");
            }
            return token;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private HttpClient client() throws IOException {
        if (client == null) {
            HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(CONNECT_TIMEOUT);
            if ("https".equals(source.apiServer().getScheme())) {
                builder.sslContext(Tls.trusting(source.ca()));
            }
            client = builder.build();
        }
        return client;
    }

    /** The {@code message} of a {@code Status} body, else the body's start. */
    private static String message(byte[] body) {
        try {
            String message = JsonObject.of(Json.parse(body), "Status").string("message");
            if (message != null) {
                return message;
            }
        } catch (JsonException notAStatus) {
            // say what the body says
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
