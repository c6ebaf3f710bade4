package dev.sluice;

import dev.sluice.internal.http.FieldText;

/**
 * What one {@code error_page} line of a route ({@link Route.Builder#errorPage(int, ErrorPage)}) answers a status
 * with: {@code status} and the page {@code body} as {@code text/html} ({@code error_page 502 /50x.html}, or {@code
 * error_page 404 =200 /index.html} with a status of its own), or a redirect of {@code status} to {@code location}
 * ({@code error_page 503 https://status.example.com/}).
 *
 * @param status the status the client gets
 * @param body the page, or null for a redirect
 * @param location where a redirect sends the client, or null for a page
 */
public record ErrorPage(int status, byte[] body, String location) {

    /**
     * @throws IllegalArgumentException unless exactly one of {@code body} and {@code location} is set, a
     *     redirect's status is 301, 302, 303, 307 or 308, and a page's is 200 to 599
     */
    public ErrorPage {
        if ((body == null) == (location == null)) {
            throw new IllegalArgumentException("an error page is a body or a location");
        }
        if (location != null ? !RouteChecks.isRedirect(status) : status < 200 || status > 599) {
            throw new IllegalArgumentException("an error page's status must be " + (location != null
                    ? "301, 302, 303, 307 or 308 for a redirect" : "between 200 and 599") + ": " + status);
        }
        if (location != null) {
            FieldText.value(location);
        }
    }
}
