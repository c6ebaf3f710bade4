package dev.sluice.upstream;

import dev.sluice.ValueTemplate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Session persistence for a group: NGINX Plus's {@code sticky cookie | route | learn}. A request bound to a peer goes
 * to that peer while it is eligible (not down, healthy, not resting after {@code max_fails}, below {@code
 * max_conns}); otherwise, or when it is bound to none, the group's balancer picks as usual, and with {@code cookie}
 * the response binds the client to the peer that answered.
 *
 * <ul>
 * <li>{@link #cookie(String)}: the proxy sets cookie NAME to an opaque id of the peer that answered, when the request
 *     did not already carry that peer's id. The id is the lowercase hex MD5 of the peer's {@code ip:port}, as NGINX
 *     Plus computes it, so clients keep their peers when a configuration moves between the two; it does not reveal
 *     the address. Without {@code expires} the cookie lasts the browser session.</li>
 * <li>{@link #route(String...)}: the first of the variables with a value names the peer whose {@code route=}
 *     equals it, or else equals the part after its last '.' (a {@code JSESSIONID} such as {@code abc123.b} names
 *     route {@code b}); nothing is set on the response.</li>
 * <li>{@link #learn(String, String)}: a response that sets the {@code create} cookie (written {@code
 *     $upstream_cookie_NAME}) binds that session value to its peer, in a table shared by all loops; a request whose
 *     {@code lookup} variable holds a learned value goes to that peer. A session unused for {@code timeout} (10
 *     minutes by default) is forgotten, and beyond {@code size} sessions (8,000 by default, NGINX Plus's count for
 *     a 1 MB zone) the least recently used one is.</li>
 * </ul>
 */
public final class Sticky {

    /** The three ways to bind a request to a peer. */
    public enum Method { COOKIE, ROUTE, LEARN }

    /** NGINX Plus's {@code expires=max}: 31 Dec 2037 23:55:55 GMT. */
    static final String EXPIRES_MAX = "Thu, 31 Dec 2037 23:55:55 GMT";
    /** An HTTP date (RFC 9110's IMF-fixdate), as a cookie's expires wants it. */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final Method method;
    private final String cookie;
    private final Duration expires;
    private final boolean expiresMax;
    private final String attributes;
    private final List<ValueTemplate> lookup;
    private final Duration timeout;
    private final int size;

    private Sticky(Builder b) {
        this.method = b.method;
        this.cookie = b.cookie;
        this.expires = b.expires;
        this.expiresMax = b.expiresMax;
        this.attributes = b.attributes();
        this.lookup = List.copyOf(b.lookup);
        this.timeout = b.timeout;
        this.size = b.size;
    }

    /** {@code sticky cookie NAME}: set its attributes on the builder, then {@link Builder#build()}. */
    public static Builder cookie(String name) {
        Builder b = new Builder(Method.COOKIE);
        b.cookie = cookieName(name);
        b.lookup.add(ValueTemplate.parse("sticky cookie", "$cookie_" + name));
        return b;
    }

    /**
     * {@code sticky route $variable ...}: variables such as {@code $cookie_route} or {@code $arg_route}, or a {@link
     * dev.sluice.VariableMap map}'s, which the proxy must declare ({@link ValueTemplate#parseNamingMaps}).
     */
    public static Sticky route(String... variables) {
        if (variables.length == 0) {
            throw new IllegalArgumentException("sticky route needs at least one variable");
        }
        Builder b = new Builder(Method.ROUTE);
        for (String variable : variables) {
            b.lookup.add(ValueTemplate.parseNamingMaps("sticky route", variable));
        }
        return b.build();
    }

    /**
     * {@code sticky learn create=$upstream_cookie_NAME lookup=$variable}: set {@code timeout} and {@code size} on the
     * builder if need be, then {@link Builder#build()}.
     */
    public static Builder learn(String create, String lookup) {
        Objects.requireNonNull(create, "create");
        String prefix = "$upstream_cookie_";
        if (!create.startsWith(prefix)) {
            throw new IllegalArgumentException("sticky learn creates sessions from a response cookie, written "
                    + prefix + "NAME: \"" + create + "\"");
        }
        Builder b = new Builder(Method.LEARN);
        b.cookie = cookieName(create.substring(prefix.length()));
        b.lookup.add(ValueTemplate.parseNamingMaps("sticky learn lookup", lookup));
        return b;
    }

    public Method method() {
        return method;
    }

    /** The cookie: the one the proxy sets ({@code cookie}), or the response cookie sessions are learned from. */
    public String cookieName() {
        return cookie;
    }

    /**
     * The variables that bind a request, tried in order until one has a value: {@code $cookie_NAME} for {@code
     * cookie}, the given ones for {@code route} and {@code learn}.
     */
    public List<ValueTemplate> lookup() {
        return lookup;
    }

    /** How long a learned session lasts unused. */
    public Duration timeout() {
        return timeout;
    }

    /** The most sessions learned at once. */
    public int size() {
        return size;
    }

    /** The {@code Set-Cookie} value that binds a client to {@code peer}, with its expiry from {@code now}. */
    public String setCookie(PeerState peer, ZonedDateTime now) {
        StringBuilder out = new StringBuilder(96).append(cookie).append('=').append(peer.stickyId());
        if (expiresMax) {
            out.append("; expires=").append(EXPIRES_MAX);
        } else if (expires != null) {
            out.append("; expires=").append(HTTP_DATE.format(now.withZoneSameInstant(ZoneOffset.UTC).plus(expires)));
            out.append("; max-age=").append(expires.toSeconds());
        }
        return out.append(attributes).toString();
    }

    private static String cookieName(String name) {
        Objects.requireNonNull(name, "cookie name");
        if (!name.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("a sticky cookie's name is letters, digits and '_', as an nginx"
                    + " variable's: \"" + name + "\"");
        }
        return name;
    }

    /** The attributes of {@code sticky cookie}, or the {@code timeout} and {@code size} of {@code sticky learn}. */
    public static final class Builder {

        private final Method method;
        private String cookie;
        private Duration expires;
        private boolean expiresMax;
        private String domain;
        private String path;
        private boolean httpOnly;
        private boolean secure;
        private String sameSite;
        private final List<ValueTemplate> lookup = new ArrayList<>(2);
        private Duration timeout = Duration.ofMinutes(10);
        private int size = 8000;

        private Builder(Method method) {
            this.method = method;
        }

        /** {@code expires=T}: how long the browser keeps the cookie; without it, for the browser session. */
        public Builder expires(Duration expires) {
            cookieOnly("expires");
            if (expires.isNegative() || expires.isZero()) {
                throw new IllegalArgumentException("expires must be positive: " + expires);
            }
            this.expires = expires;
            this.expiresMax = false;
            return this;
        }

        /** {@code expires=max}: until 31 Dec 2037 23:55:55 GMT. */
        public Builder expiresMax() {
            cookieOnly("expires");
            this.expiresMax = true;
            this.expires = null;
            return this;
        }

        /** {@code domain=D}. */
        public Builder domain(String domain) {
            cookieOnly("domain");
            this.domain = attribute("domain", domain);
            return this;
        }

        /** {@code path=P}. */
        public Builder path(String path) {
            cookieOnly("path");
            this.path = attribute("path", path);
            return this;
        }

        /** {@code httponly}. */
        public Builder httpOnly() {
            cookieOnly("httponly");
            this.httpOnly = true;
            return this;
        }

        /** {@code secure}. */
        public Builder secure() {
            cookieOnly("secure");
            this.secure = true;
            return this;
        }

        /** {@code samesite=strict|lax|none}. */
        public Builder sameSite(String sameSite) {
            cookieOnly("samesite");
            String value = sameSite.toLowerCase(Locale.ROOT);
            if (!value.equals("strict") && !value.equals("lax") && !value.equals("none")) {
                throw new IllegalArgumentException("samesite is strict, lax or none: \"" + sameSite + "\"");
            }
            this.sameSite = Character.toUpperCase(value.charAt(0)) + value.substring(1);
            return this;
        }

        /** {@code timeout=T} of {@code learn}: how long a session lasts unused; default 10 minutes. */
        public Builder timeout(Duration timeout) {
            learnOnly("timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** The most sessions {@code learn} keeps; default 8,000. */
        public Builder size(int size) {
            learnOnly("size");
            if (size < 1) {
                throw new IllegalArgumentException("size must be at least 1: " + size);
            }
            this.size = size;
            return this;
        }

        public Sticky build() {
            return new Sticky(this);
        }

        private String attributes() {
            StringBuilder out = new StringBuilder();
            if (domain != null) {
                out.append("; domain=").append(domain);
            }
            if (path != null) {
                out.append("; path=").append(path);
            }
            if (httpOnly) {
                out.append("; httponly");
            }
            if (secure) {
                out.append("; secure");
            }
            if (sameSite != null) {
                out.append("; samesite=").append(sameSite);
            }
            return out.toString();
        }

        private void cookieOnly(String parameter) {
            if (method != Method.COOKIE) {
                throw new IllegalArgumentException(parameter + " belongs to sticky cookie, not sticky " + method
                        .name().toLowerCase(Locale.ROOT));
            }
        }

        private void learnOnly(String parameter) {
            if (method != Method.LEARN) {
                throw new IllegalArgumentException(parameter + " belongs to sticky learn, not sticky " + method
                        .name().toLowerCase(Locale.ROOT));
            }
        }

        private static String attribute(String name, String value) {
            Objects.requireNonNull(value, name);
            if (value.isEmpty() || value.chars().anyMatch(c -> c <= ' ' || c == ';' || c == ',' || c >= 0x7f)) {
                throw new IllegalArgumentException("invalid " + name + " \"" + value + "\"");
            }
            return value;
        }
    }
}
