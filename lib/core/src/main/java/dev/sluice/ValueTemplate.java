package dev.sluice;

import dev.sluice.internal.http.UriText;
import dev.sluice.internal.text.ByteText;
import dev.sluice.internal.text.VariableText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.MatchResult;

/**
 * A value made of text and nginx variables, such as {@code "$host"} or {@code "$scheme://$host$request_uri"}, as
 * {@code proxy_set_header} values and {@code hash} keys are written. Parsed once; evaluated per request.
 *
 * <p>Variables: {@code $host}, {@code $remote_addr}, {@code $remote_port}, {@code $proxy_add_x_forwarded_for},
 * {@code $scheme}, {@code $request_uri}, {@code $uri}, {@code $args}, {@code $is_args}, {@code $request_method},
 * {@code $server_port}, {@code $proxy_host}, {@code $http_NAME}, {@code $arg_NAME} and {@code $cookie_NAME}; on a
 * TLS address {@code $https} ({@code on}, else empty), {@code $ssl_protocol}, {@code $ssl_cipher}, {@code
 * $ssl_server_name}, {@code $ssl_client_verify} and {@code $ssl_client_s_dn} ({@code $scheme} is then
 * {@code https}); and
 * {@code $1} to {@code $9}, the groups a regex route's pattern captured (empty in other routes), and by its name
 * a named group among them ({@code (?<id>[0-9]+)} then {@code $id}, as nginx's named captures); where a route
 * is added to a {@link ProxyServer.Builder}, the {@link VariableMap maps} declared before it; a name may be
 * braced, {@code ${host}}. {@code $request_uri} is the target as the client sent it (in origin form);
 * {@code $uri} is the path routes are matched against: decoded, slashes merged, dot-segments resolved, with any
 * control byte, space or DEL written as %XX so that it can never break a header line (nginx writes those raw).
 */
public final class ValueTemplate {

    /**
     * The variables a template can name. {@link #HTTP}, {@link #ARG} and {@link #COOKIE} are the families
     * {@code $http_NAME}, {@code $arg_NAME} and {@code $cookie_NAME}; the reference carries the NAME. {@link
     * #CAPTURE} is {@code $1} to {@code $9}; the reference carries the digit. {@link #MAP} is a {@link VariableMap}'s
     * variable; the reference carries its name.
     */
    public enum Variable {
        HOST, REMOTE_ADDR, REMOTE_PORT, PROXY_ADD_X_FORWARDED_FOR, SCHEME, REQUEST_URI, URI, ARGS, IS_ARGS,
        REQUEST_METHOD, SERVER_PORT, PROXY_HOST, HTTP, ARG, COOKIE, CAPTURE, HTTPS, SSL_PROTOCOL, SSL_CIPHER,
        SSL_SERVER_NAME, SSL_CLIENT_VERIFY, SSL_CLIENT_S_DN, MAP
    }

    private final String source;
    /** Alternating parts: a String of literal text, or a {@link Part} variable reference. */
    private final Object[] parts;

    /**
     * One variable reference in a template: which variable, and the NAME of the {@code $http_NAME}-style families
     * (the header name with '_' written as '-'), or null for the others.
     */
    public record Part(Variable variable, String name) {
    }

    private ValueTemplate(String source, Object[] parts) {
        this.source = source;
        this.parts = parts;
    }

    /**
     * Parses a template.
     *
     * @param option the option it belongs to, named in the error
     * @throws IllegalArgumentException for an unknown variable, a '$' without a name, or a control character
     */
    public static ValueTemplate parse(String option, String template) {
        return parse(option, template, false);
    }

    /** {@link #parse}, letting line breaks through when {@code lines}: for a body, which no header line holds. */
    static ValueTemplate parse(String option, String template, boolean lines) {
        return parse(option, template, lines, VariableNames.NONE);
    }

    /**
     * {@link #parse(String, String)} for a value made before the proxy's {@link VariableMap maps} are known, such as
     * an upstream group's {@link dev.sluice.upstream.Sticky sticky} lookup: a name that is none of the proxy's own
     * variables is taken as a map's, and the proxy refuses to start when it declares no such map.
     */
    public static ValueTemplate parseNamingMaps(String option, String template) {
        return parse(option, template, false, VariableNames.ANY_MAP);
    }

    /** {@link #parse(String, String, boolean)} where {@code names} are variables too. */
    static ValueTemplate parse(String option, String template, boolean lines, VariableNames names) {
        Objects.requireNonNull(template, option);
        if (template.chars().anyMatch(c -> c < ' ' && c != '\t' && !(lines && (c == '\n' || c == '\r')) || c == 0x7f)) {
            throw new IllegalArgumentException(option + " must not hold control characters: \"" + template + "\"");
        }
        Object[] parts = VariableText.split(option, template, name -> variable(option, name, names));
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] instanceof String) {
                parts[i] = ByteText.of((String) parts[i]); // written byte by byte, as a request's values are
            }
        }
        return new ValueTemplate(template, parts);
    }

    /**
     * Supplies variable values to {@link #appendTo}: the proxy implements it for the request being proxied; a test
     * or a handler may implement it to evaluate a template against values of its own.
     */
    public interface Variables {

        /** Appends the value of {@code part} (nothing when it has none). */
        void append(Part part, StringBuilder out);
    }

    /**
     * The request's {@code variables}, but with {@code $1} to {@code $9} the groups of {@code match} (a regex of the
     * proxy's own, matched against some value of the request), each written as a capture is ({@link Variable#CAPTURE}:
     * controls, spaces and DEL as %XX).
     */
    public static Variables withGroups(MatchResult match, Variables variables) {
        return (part, out) -> {
            if (part.variable() != Variable.CAPTURE) {
                variables.append(part, out);
                return;
            }
            int n = part.name().charAt(0) - '0';
            String group = n <= match.groupCount() ? match.group(n) : null;
            if (group != null) {
                UriText.appendPath(out, group);
            }
        };
    }

    /** Appends this template's value for the request that {@code variables} describes. */
    public void appendTo(StringBuilder out, Variables variables) {
        for (Object part : parts) {
            if (part instanceof String) {
                out.append((String) part);
            } else {
                variables.append((Part) part, out);
            }
        }
    }

    /** The highest capture the template names ({@code $3}: 3), or 0 when it names none. */
    public int highestCapture() {
        int highest = 0;
        for (Object part : parts) {
            if (part instanceof Part && ((Part) part).variable() == Variable.CAPTURE) {
                highest = Math.max(highest, Integer.parseInt(((Part) part).name()));
            }
        }
        return highest;
    }

    /** The names of the maps the template names, in order. */
    List<String> mapNames() {
        List<String> names = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Part && ((Part) part).variable() == Variable.MAP) {
                names.add(((Part) part).name());
            }
        }
        return names;
    }

    /** Whether the template is empty, which for {@code proxy_set_header} removes the field. */
    public boolean isEmpty() {
        return parts.length == 0;
    }

    /** Whether the template holds no variable: its value is its text. */
    boolean isConstant() {
        for (Object part : parts) {
            if (part instanceof Part) {
                return false;
            }
        }
        return true;
    }

    /** The template as written. */
    @Override
    public String toString() {
        return source;
    }


    /** Whether {@code name} names a variable, so that no named group may take it. */
    static boolean isVariable(String name) {
        try {
            variable("", name, VariableNames.NONE);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Part variable(String option, String name, VariableNames names) {
        Integer group = names.captures().get(name);
        if (group != null) {
            if (group > 9) {
                throw new IllegalArgumentException(option + " uses $" + name + ", group " + group
                        + " of the regex: the captures are $1 to $9");
            }
            return new Part(Variable.CAPTURE, String.valueOf(group));
        }
        if (name.chars().allMatch(c -> c >= '0' && c <= '9')) {
            if (name.length() != 1 || name.charAt(0) == '0') {
                throw new IllegalArgumentException(option + " uses $" + name + ": the captures are $1 to $9");
            }
            return new Part(Variable.CAPTURE, name);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {"http_", "arg_", "cookie_"}) {
            if (lower.startsWith(prefix) && lower.length() > prefix.length()) {
                String rest = name.substring(prefix.length());
                switch (prefix) {
                    case "http_": return new Part(Variable.HTTP, rest.replace('_', '-'));
                    case "arg_": return new Part(Variable.ARG, rest);
                    default: return new Part(Variable.COOKIE, rest);
                }
            }
        }
        try {
            Variable v = Variable.valueOf(lower.toUpperCase(Locale.ROOT));
            if (v == Variable.HTTP || v == Variable.ARG || v == Variable.COOKIE || v == Variable.CAPTURE
                    || v == Variable.MAP) {
                throw new IllegalArgumentException();
            }
            return new Part(v, null);
        } catch (IllegalArgumentException e) {
            if (names.isMap(name)) {
                return new Part(Variable.MAP, name);
            }
            throw new IllegalArgumentException(option + " uses an unknown variable $" + name);
        }
    }
}
