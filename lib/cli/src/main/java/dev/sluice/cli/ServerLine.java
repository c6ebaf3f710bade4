package dev.sluice.cli;

import dev.sluice.upstream.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One {@code --server} value, read as nginx reads a {@code server} line in an {@code upstream} block:
 * {@code ADDRESS [weight=N] [max_fails=N] [fail_timeout=T] [backup] [down] [drain] [max_conns=N] [slow_start=T]
 * [route=S] [resolve]}, and turned into the {@link Peer.Builder} calls it stands for.
 *
 * <p>Parsing checks the syntax (a known parameter, a number where one is due, an nginx time); the ranges (weight
 * 0, a backup under {@code hash}) and the address itself are the library's to check when the group is built.
 */
final class ServerLine {

    private final String text;
    private final String address;
    private final List<Expr.Call> parameters;

    private ServerLine(String text, String address, List<Expr.Call> parameters) {
        this.text = text;
        this.address = address;
        this.parameters = List.copyOf(parameters);
    }

    /**
     * Reads a server line.
     *
     * @throws IllegalArgumentException naming the parameter at fault and quoting the line
     */
    static ServerLine parse(String text) {
        String[] tokens = text.trim().split("\\s+");
        String address = tokens[0];
        if (address.isEmpty()) {
            throw new IllegalArgumentException("missing ADDRESS in \"" + text + "\"");
        }
        if (address.contains("=")) {
            throw new IllegalArgumentException("missing ADDRESS before \"" + address + "\" in \"" + text + "\"");
        }
        List<Expr.Call> parameters = new ArrayList<>();
        for (int i = 1; i < tokens.length; i++) {
            parameters.add(parameter(tokens[i], text));
        }
        return new ServerLine(text, address, parameters);
    }

    /** The line as written. */
    String text() {
        return text;
    }

    /** The address: {@code host:port}, {@code host} (port 80) or {@code unix:/path}. */
    String address() {
        return address;
    }

    /** Sets this line's parameters on the peer being built. */
    void applyTo(Peer.Builder peer) {
        new Evaluator().apply(peer, Peer.Builder.class, parameters, null);
    }

    /** This line's parameters as calls on a {@link Peer.Builder}. */
    List<Expr.Call> parameters() {
        return parameters;
    }

    @Override
    public String toString() {
        return text;
    }

    private static Expr.Call parameter(String token, String text) {
        int eq = token.indexOf('=');
        String name = eq < 0 ? token : token.substring(0, eq);
        String value = eq < 0 ? null : token.substring(eq + 1);
        switch (name) {
            case "backup":
                noValue(name, value, text);
                return Expr.Call.of(null, "backup");
            case "down":
                noValue(name, value, text);
                return Expr.Call.of(null, "down");
            case "drain":
                noValue(name, value, text);
                return Expr.Call.of(null, "drain");
            case "weight":
                return Expr.Call.of(null, "weight", read(name, value, text, NginxSyntax::number));
            case "max_fails":
                return Expr.Call.of(null, "maxFails", read(name, value, text, NginxSyntax::number));
            case "fail_timeout":
                return Expr.Call.of(null, "failTimeout", read(name, value, text, NginxSyntax::seconds));
            case "max_conns":
                return Expr.Call.of(null, "maxConns", read(name, value, text, NginxSyntax::number));
            case "slow_start":
                return Expr.Call.of(null, "slowStart", read(name, value, text, NginxSyntax::seconds));
            case "resolve":
                noValue(name, value, text);
                return Expr.Call.of(null, "resolve");
            case "service":
                return Expr.Call.of(null, "service", read(name, value, text, Function.identity()));
            case "route":
                return Expr.Call.of(null, "route", read(name, value, text, Function.identity()));
            default:
                throw new IllegalArgumentException("unknown parameter \"" + token + "\" in \"" + text + "\"");
        }
    }

    private static void noValue(String name, String value, String text) {
        if (value != null) {
            throw new IllegalArgumentException(name + " takes no value: \"" + name + "=" + value + "\" in \"" + text + "\"");
        }
    }

    private static <T> T read(String name, String value, String text, Function<String, T> parser) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " needs a value (" + name + "=...) in \"" + text + "\"");
        }
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + name + " \"" + value + "\" in \"" + text + "\"", e);
        }
    }
}
