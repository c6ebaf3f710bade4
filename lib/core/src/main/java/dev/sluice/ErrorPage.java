package dev.sluice;

import dev.sluice.internal.http.FieldText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one {@code error_page} line of a route ({@link Route.Builder#errorPage(int, ErrorPage)}) answers a status
 * with: {@code status} and the page {@code body} of type {@code contentType} ({@code error_page 502 /50x.html}, or
 * {@code error_page 404 =200 /index.html} with a status of its own), a redirect of {@code status} to {@code
 * location} ({@code error_page 503 https://status.example.com/}), or a route the request is {@link Answer#reroute
 * rerouted} to: a named one, {@code location} {@code @NAME} ({@code error_page 401 = @signin}), or the one of a path,
 * {@code location} {@code /50x.html}, which the request asks for as a GET (a HEAD stays one), as nginx's {@code
 * error_page 502 /50x.html} redirects internally. A page read from a file ({@link #file}) has the type of its name,
 * as nginx serves the file it redirects to; a page given as bytes is {@code text/html}.
 *
 * <p>A rerouted request answers with its route's own status when {@code status} is 0 (nginx's {@code = @NAME}),
 * else the client gets {@code status} (nginx's {@code =200 @NAME}, or {@code CODE @NAME} keeping CODE) for what the
 * route sends: a file, a text, a peer's response; an error or a redirect of the route's own keeps its status, as
 * nginx's special responses do. As with nginx's {@code recursive_error_pages off}, the route's own errors get no
 * error page, and a request whose body went to a peer unbuffered, or is not read yet, gets the status alone: it
 * cannot be sent again.
 *
 * @param status the status the client gets; for a reroute 0, its route's own
 * @param contentType the page's {@code Content-Type}, or null for a redirect or a reroute
 * @param body the page, or null for a redirect or a reroute
 * @param location where a redirect sends the client, or a reroute's path or named route; null for a page
 */
public record ErrorPage(int status, String contentType, byte[] body, String location) {

    /**
     * @throws IllegalArgumentException unless a page has a body and a type and a redirect a location alone, a
     *     redirect's status is 301, 302, 303, 307 or 308, a page's is 200 to 599, and the type and location hold no
     *     CR or LF
     */
    public ErrorPage {
        if ((body == null) == (location == null) || (body == null) != (contentType == null)) {
            throw new IllegalArgumentException("an error page is a body with its type, or a location");
        }
        boolean named = location != null && (location.startsWith("@") || location.startsWith("/"));
        if (named) {
            Answer.reroute(location); // refuses what is no named route or path
        }
        if (named ? status != 0 && (status < 200 || status > 599)
                : location != null ? !RouteChecks.isRedirect(status) : status < 200 || status > 599) {
            throw new IllegalArgumentException("an error page's status must be " + (named
                    ? "0 or between 200 and 599 for a reroute" : location != null
                    ? "301, 302, 303, 307 or 308 for a redirect" : "between 200 and 599") + ": " + status);
        }
        FieldText.value(location != null ? location : contentType);
    }

    /**
     * A page of {@code text/html} ({@code body} not null, {@code location} null), or a redirect or named route (the
     * other way).
     */
    public ErrorPage(int status, byte[] body, String location) {
        this(status, body == null ? null : "text/html", body, location);
    }

    /**
     * A page of {@code status} read now from {@code file}, typed by its name's extension as nginx's {@code
     * mime.types} types it ({@link MediaTypes#nginx()}: {@code 50x.html} {@code text/html}, {@code error.json}
     * {@code application/json}, an unknown one {@code application/octet-stream}).
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static ErrorPage file(int status, Path file) {
        return file(status, file, MediaTypes.nginx());
    }

    /**
     * A page of {@code status} read now from {@code file}, of the type {@code types} gives its name: the {@code
     * types} and {@code default_type} of the location that serves the page's URI.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public static ErrorPage file(int status, Path file, MediaTypes types) {
        try {
            return new ErrorPage(status, types.of(file.getFileName().toString()), Files.readAllBytes(file), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the page is a route the request is rerouted to: a path or a named route, not a redirect or a body. */
    public boolean reroutes() {
        return location != null && (location.startsWith("/") || location.startsWith("@"));
    }
}
