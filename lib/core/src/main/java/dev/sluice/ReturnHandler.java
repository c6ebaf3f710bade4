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
     * The text of {@code return status text}, parsed: for a redirect the Location, otherwise the body, either of
     * which may name variables.
     *
     * @throws IllegalArgumentException for a status outside 200 to 599 or a text naming an unknown variable
     */
    static ValueTemplate text(int status, String text, VariableNames names) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("return status must be between 200 and 599: " + status);
        }
        return ValueTemplate.parse("return", Objects.requireNonNull(text, "text"), !RouteChecks.isRedirect(status),
                names);
    }

    /**
     * The answer of {@code return status text}: for a redirect {@code text} is the Location, otherwise the body, of
     * the type {@code types} gives the request's path, as nginx types it ({@code $uri}'s extension, else {@code
     * default_type}); an empty text is nginx's own page for a status of 400 or more, else an empty body of that
     * type; a 204 has neither body nor type. The text's variables are evaluated per request. The text goes out as its bytes:
     * what the client sent as it sent it, and the configuration's own text in UTF-8. A Location that starts with
     * {@code //} or {@code /\} is kept on the host ({@link UriText#keepOnHost}).
     */
    static Function<ProxyRequest, Answer> returning(int status, ValueTemplate text, MediaTypes types) {
        boolean redirect = RouteChecks.isRedirect(status);
        if (text.isConstant()) {
            StringBuilder value = new StringBuilder();
            text.appendTo(value, (part, out) -> { });
            String fixed = value.toString();
            if (redirect || status == 204 || fixed.isEmpty() && status >= 400) {
                Answer answer = answer(status, redirect, fixed, null);
                return request -> answer;
            }
            return request -> answer(status, false, fixed, types.of(request.path()));
        }
        return request -> answer(status, redirect, request.value(text), redirect ? null : types.of(request.path()));
    }

    private static Answer answer(int status, boolean redirect, String value, String type) {
        if (redirect) {
            return value.isEmpty() ? Answer.of(status) : Answer.redirect(status, UriText.keepOnHost(value));
        }
        if (value.isEmpty() && status >= 400 || status == 204) {
            return Answer.of(status);
        }
        Answer.Builder answer = Answer.builder(status);
        if (!type.isEmpty()) { // an empty type, as nginx's default_type "": no Content-Type
            answer.header("Content-Type", type);
        }
        return answer.body(value.getBytes(StandardCharsets.ISO_8859_1)).build();
    }
}
