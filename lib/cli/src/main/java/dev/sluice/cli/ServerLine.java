package dev.sluice.cli;

import dev.sluice.upstream.Peer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One {@code --server} value, read as nginx reads a {@code server} line in an {@code upstream} block:
 * {@code ADDRESS [weight=N] [max_fails=N] [fail_timeout=T] [backup] [down] [max_conns=N] [slow_start=T]
 * [route=S] [resolve]}, and turned into the {@link Peer.Builder} calls it stands for.
 *
 * <p>Parsing checks the syntax (a known parameter, a number where one is due, an nginx time); the ranges (weight
 * 0, a backup under {@code hash}) and the address itself are the library's to check when the group is built.
 */
final class ServerLine {

    private final String text;
    private final String address;
    private final List<Consumer<Peer.Builder>> parameters;

    private ServerLine(String text, String address, List<Consumer<Peer.Builder>> parameters) {
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
        List<Consumer<Peer.Builder>> parameters = new ArrayList<>();
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
        parameters.forEach(p -> p.accept(peer));
    }

    @Override
    public String toString() {
        return text;
    }

    private static Consumer<Peer.Builder> parameter(String token, String text) {
        int eq = token.indexOf('=');
        String name = eq < 0 ? token : token.substring(0, eq);
        String value = eq < 0 ? null : token.substring(eq + 1);
        switch (name) {
            case "backup":
                noValue(name, value, text);
                return Peer.Builder::backup;
            case "down":
                noValue(name, value, text);
                return Peer.Builder::down;
            case "weight":
                int weight = read(name, value, text, NginxSyntax::number);
                return p -> p.weight(weight);
            case "max_fails":
                int maxFails = read(name, value, text, NginxSyntax::number);
                return p -> p.maxFails(maxFails);
            case "fail_timeout":
                Duration failTimeout = read(name, value, text, NginxSyntax::seconds);
                return p -> p.failTimeout(failTimeout);
            case "max_conns":
                int maxConns = read(name, value, text, NginxSyntax::number);
                return p -> p.maxConns(maxConns);
            case "slow_start":
                Duration slowStart = read(name, value, text, NginxSyntax::seconds);
                return p -> p.slowStart(slowStart);
            case "resolve":
                noValue(name, value, text);
                return Peer.Builder::resolve;
            case "service":
                String service = read(name, value, text, Function.identity());
                return p -> p.service(service);
            case "route":
                String route = read(name, value, text, Function.identity());
                return p -> p.route(route);
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
