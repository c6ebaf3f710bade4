package dev.sluice;

import dev.sluice.internal.http.UriText;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/** The handler of a route that answers every request itself and proxies nothing: nginx's {@code return}. */
final class ReturnHandler {

    private ReturnHandler() {
    }

    /** A handler that answers every request with what {@code answer} gives for it. */
    static ProxyHandler of(Function<ProxyRequest, Answer> answer) {
        return new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return answer.apply(request);
            }
        };
    }

    /**
     * The answer of {@code return status text}: for a redirect {@code text} is the Location, otherwise the body; its
     * variables are evaluated per request, and a text without any is answered with one answer made here. The text
     * goes out as its bytes: what the client sent as it sent it, and the configuration's own text in UTF-8. A
     * Location that starts with {@code //} or {@code /\} is kept on the host ({@link UriText#keepOnHost}).
     */
    static Function<ProxyRequest, Answer> returning(int status, String text, VariableNames names) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("return status must be between 200 and 599: " + status);
        }
        ValueTemplate template = ValueTemplate.parse("return", Objects.requireNonNull(text, "text"),
                !RouteChecks.isRedirect(status), names);
        Function<String, Answer> answer = value -> value.isEmpty() ? Answer.of(status)
                : RouteChecks.isRedirect(status) ? Answer.redirect(status, UriText.keepOnHost(value))
                : Answer.builder(status).header("Content-Type", "text/plain")
                        .body(value.getBytes(StandardCharsets.ISO_8859_1)).build();
        if (template.isConstant()) {
            StringBuilder value = new StringBuilder();
            template.appendTo(value, (part, out) -> { });
            Answer fixed = answer.apply(value.toString());
            return request -> fixed;
        }
        return request -> answer.apply(request.value(template));
    }

}
