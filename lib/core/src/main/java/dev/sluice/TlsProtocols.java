package dev.sluice;

import java.util.List;

/** The TLS protocols either side may speak: {@code ssl_protocols} and {@code proxy_ssl_protocols}. */
final class TlsProtocols {

    /** Both, the default of either side: nginx's list less the broken older ones, which the JDK has off too. */
    static final List<String> DEFAULT = List.of("TLSv1.2", "TLSv1.3");

    private TlsProtocols() {
    }

    /** {@code protocols} as a list, each checked to be one of {@link #DEFAULT}; {@code directive} names the error. */
    static List<String> checked(String directive, String... protocols) {
        if (protocols.length == 0) {
            throw new IllegalArgumentException(directive + " needs at least one protocol");
        }
        for (String protocol : protocols) {
            if (!DEFAULT.contains(protocol)) {
                throw new IllegalArgumentException(directive + ": \"" + protocol + "\" is not one of " + DEFAULT
                        + " (the older ones are broken and off in the JDK)");
            }
        }
        return List.of(protocols);
    }
}
