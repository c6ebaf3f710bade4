package dev.sluice.cli;

import dev.sluice.ServerTls;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The flags whose value is more than one of nginx's simple values (a time, a size, on/off), each read into {@link
 * Settings} as {@link Cli}'s table hands it over: {@code --proxy-pass}, {@code --listen}, {@code --balance}, {@code
 * --error-page}, {@code --proxy-buffers}, {@code --proxy-bind}, and the parsers of {@code --worker-processes} and
 * {@code --ssl-verify-client}.
 */
final class FlagValues {

    private FlagValues() {
    }

    /** {@code --proxy-pass}: http or https to the flags' group, and the URI part when it has one. */
    static void proxyPass(Settings settings, String flag, String url) {
        boolean tls = url.startsWith("https://");
        String scheme = (tls ? "https://" : "http://") + Settings.GROUP;
        if (!url.startsWith(scheme) || url.length() > scheme.length() && url.charAt(scheme.length()) != '/') {
            throw new IllegalArgumentException("the URL names the flags' upstream group: http[s]://" + Settings.GROUP
                    + "[/URI], not " + url);
        }
        settings.tls().setUpstreamTls(tls);
        String uri = url.substring(scheme.length());
        if (!uri.isEmpty()) {
            settings.addRouteStep(new Step<>(flag, url, r -> r.passUri(uri)));
        }
    }

    /** {@code --listen 'HOST:PORT [ssl]'}; the library checks the address when the proxy is built. */
    static void listen(Settings settings, String flag, String value) {
        String[] parts = value.trim().split("\\s+");
        boolean ssl = parts.length == 2 && parts[1].equals("ssl");
        if (parts.length > 2 || parts.length == 2 && !ssl) {
            throw new IllegalArgumentException("expected 'HOST:PORT [ssl]', got \"" + value + "\"");
        }
        settings.addListen(flag, value, parts[0], ssl);
    }

    /** {@code ssl_verify_client on|off|optional}, for the flag and the configuration file alike. */
    static ServerTls.ClientVerify verifyClient(String value) {
        switch (value) {
            case "on": return ServerTls.ClientVerify.ON;
            case "off": return ServerTls.ClientVerify.OFF;
            case "optional": return ServerTls.ClientVerify.OPTIONAL;
            default: throw new IllegalArgumentException("invalid value \"" + value + "\" (on, off or optional)");
        }
    }

    /** {@code auto} is 0, which the builder reads as one loop per processor; a number must be at least 1. */
    static int workers(String text) {
        if (text.equals("auto")) {
            return 0;
        }
        int n = NginxSyntax.number(text);
        if (n == 0) {
            throw new IllegalArgumentException("invalid value \"0\" (a number from 1, or auto)");
        }
        return n;
    }

    static void balance(Settings settings, String flag, String raw) {
        BalanceLine line = BalanceLine.parse(raw);
        settings.setBalancer(line.balancer());
        if (line.hashKey() != null) {
            settings.addRouteStep(new Step<>(flag, raw, r -> r.hashKey(line.hashKey())));
        }
    }

    static void errorPage(Settings settings, String flag, String raw) {
        ErrorPageLine page = ErrorPageLine.parse(raw);
        settings.addRouteStep(new Step<>(flag, raw, r -> {
            for (int i = 0; i < page.codes().size(); i++) {
                r.errorPage(page.codes().get(i), page.pages().get(i));
            }
            return r;
        }));
    }

    /** nginx's {@code proxy_buffers N SIZE}: a number and a size; their ranges are the library's to check. */
    static void buffers(Settings settings, String flag, String raw) {
        String[] parts = raw.strip().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("expected 'N SIZE', got \"" + raw + "\"");
        }
        int count = NginxSyntax.number(parts[0]);
        int size = NginxSyntax.intSize(parts[1]);
        settings.addRouteStep(new Step<>(flag, raw, r -> r.buffers(count, size)));
    }

    /** An IP address (nginx's {@code proxy_bind} takes no name) or {@code off}. */
    static void bind(Settings settings, String flag, String raw) {
        if (raw.equals("off")) {
            return;
        }
        String literal = raw.startsWith("[") && raw.endsWith("]") ? raw.substring(1, raw.length() - 1) : raw;
        boolean ipv4 = literal.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
        boolean ipv6 = literal.contains(":") && literal.matches("[0-9A-Fa-f:.]+");
        InetAddress address;
        try {
            address = ipv4 || ipv6 ? InetAddress.getByName(literal) : null;
        } catch (UnknownHostException e) {
            address = null;
        }
        if (address == null) {
            throw new IllegalArgumentException("invalid address \"" + raw + "\" (an IP address, or off)");
        }
        InetAddress bound = address;
        settings.addRouteStep(new Step<>(flag, raw, r -> r.bind(bound)));
    }
}
