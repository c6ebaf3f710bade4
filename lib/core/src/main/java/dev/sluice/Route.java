package dev.sluice;

import dev.sluice.internal.files.StaticFiles;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Where requests go and how they are proxied: nginx's {@code location [=|^~|~|~*] PATH { proxy_pass http://GROUP;
 * proxy_... }}. Immutable; built by {@code ProxyServer.Builder.route}.
 *
 * <p>A route matches the normalised path ({@code $uri}) as nginx's location does ({@link Match}): an exact route
 * ({@code "= /x"}) ends the search; otherwise the longest matching prefix is remembered, and unless it is a {@code
 * "^~ /x"} route the regex routes ({@code "~ REGEX"}, {@code "~* REGEX"} ignoring case) are tried in the order they
 * were added, the first that matches winning; without one the remembered prefix serves.
 *
 * <p>A route may instead answer every request itself, with no upstream: {@link Builder#answer} (nginx's {@code
 * return}) or {@link Builder#root} (nginx's {@code root}: small static files, such as error pages).
 *
 * <p>Every option has nginx's default unless its Javadoc says otherwise.
 *
 * <p>Upgrades: a genuine upgrade request — an HTTP/1.1 GET without a body whose Connection field lists {@code
 * upgrade} and whose Upgrade fields offer only protocols the route allows ({@link Builder#upgradeProtocols}, {@code
 * websocket} by default) — goes to the peer with its Upgrade field and {@code Connection: upgrade} (on a route with
 * {@code httpVersion("1.1")}, the default), where nginx needs {@code proxy_set_header Upgrade $http_upgrade} and
 * {@code Connection "upgrade"}. A 101 answer is relayed and the connection becomes a tunnel until both sides have
 * closed it (or {@link #readTimeout()} passes with no byte either way); its upstream connection is never pooled.
 * Any other answer is an ordinary response. Every other request — one offering a protocol the route does not allow,
 * {@code h2c} above all — loses its Upgrade field (and {@code HTTP2-Settings}, always), and a 101 to it is a 502:
 * a tunnel never opens for a protocol the proxy was not told to let through.
 */
public final class Route {

    /** How a route matches the normalised path, after nginx's location modifiers. */
    public enum Match {
        /** {@code location /x}: the path starts with it; the longest such prefix is remembered. */
        PREFIX,
        /** {@code location = /x}: the path is exactly it; the search stops. */
        EXACT,
        /** {@code location ^~ /x}: a prefix that, when it is the longest, stops the search before the regexes. */
        PREFIX_NO_REGEX,
        /** {@code location ~ REGEX}: a case-sensitive regex, tried in order after the prefixes. */
        REGEX,
        /** {@code location ~* REGEX}: a regex ignoring case. */
        REGEX_CASELESS
    }

    private final String prefix;
    private final Match match;
    private final Pattern pattern;
    private final UpstreamGroup upstream;
    private final UpstreamTls upstreamTls;
    private final ValueTemplate hashKey;
    private final Duration connectTimeout;
    private final Duration sendTimeout;
    private final Duration readTimeout;
    private final NextUpstream nextUpstream;
    private final boolean interceptErrors;
    private final Map<Integer, byte[]> errorPages;
    private final List<Map.Entry<String, ValueTemplate>> setHeaders;
    private final boolean http11;
    private final boolean socketKeepalive;
    private final InetAddress bind;
    private final boolean ignoreClientAbort;
    private final boolean buffering;
    private final boolean requestBuffering;
    private final int bufferSize;
    private final int buffersCount;
    private final int buffersSize;
    private final List<String> upgradeProtocols;
    private final List<RequestLimit> requestLimits;
    private final List<ConnectionLimit> connectionLimits;
    private final ProxyHandler handler;
    private final Path root;
    private final List<String> index;
    private final String passUri;
    private final ValueTemplate passTemplate;
    private final Duration hookTimeout;
    private final int handlerBodyLimit;

    private Route(Builder b) {
        this.prefix = b.prefix;
        this.match = b.match;
        this.pattern = b.pattern;
        this.upstream = b.upstream;
        this.upstreamTls = b.upstreamTls;
        this.hashKey = b.hashKey;
        this.connectTimeout = b.connectTimeout;
        this.sendTimeout = b.sendTimeout;
        this.readTimeout = b.readTimeout;
        this.nextUpstream = b.nextUpstream;
        this.interceptErrors = b.interceptErrors;
        this.errorPages = Collections.unmodifiableMap(new LinkedHashMap<>(b.errorPages));
        this.setHeaders = Collections.unmodifiableList(new ArrayList<>(b.setHeaders));
        this.http11 = b.http11;
        this.socketKeepalive = b.socketKeepalive;
        this.bind = b.bind;
        this.ignoreClientAbort = b.ignoreClientAbort;
        this.buffering = b.buffering;
        this.requestBuffering = b.requestBuffering;
        this.bufferSize = b.bufferSize;
        this.buffersCount = b.buffersCount;
        this.buffersSize = b.buffersSize;
        this.upgradeProtocols = b.upgradeProtocols;
        this.requestLimits = List.copyOf(b.requestLimits);
        this.connectionLimits = List.copyOf(b.connectionLimits);
        this.root = b.root;
        this.index = b.index == null ? List.of("index.html") : b.index;
        this.handler = root == null ? b.handler : new StaticFiles(root, index);
        this.passUri = b.passUri;
        this.passTemplate = b.passTemplate;
        this.hookTimeout = b.hookTimeout;
        this.handlerBodyLimit = b.handlerBodyLimit;
    }

    /**
     * Starts a route for {@code location}, in nginx's form: {@code "/x"} (a prefix), {@code "= /x"}, {@code "^~ /x"},
     * {@code "~ REGEX"} or {@code "~* REGEX"}.
     */
    public static Builder builder(String location) {
        return new Builder(location);
    }

    /** The path of a prefix or exact route, or the regex of a regex route: the location without its modifier. */
    public String prefix() {
        return prefix;
    }

    /** How this route matches: {@link Match#PREFIX} unless its location has a modifier. */
    public Match match() {
        return match;
    }

    /** The compiled regex of a {@code ~} or {@code ~*} route, or null. */
    public Pattern pattern() {
        return pattern;
    }

    /** The location as nginx writes it, e.g. {@code "^~ /static/"}. */
    public String location() {
        switch (match) {
            case EXACT:
                return "= " + prefix;
            case PREFIX_NO_REGEX:
                return "^~ " + prefix;
            case REGEX:
                return "~ " + prefix;
            case REGEX_CASELESS:
                return "~* " + prefix;
            default:
                return prefix;
        }
    }

    /** The group requests go to ({@code proxy_pass http://GROUP}). */
    public UpstreamGroup upstream() {
        return upstream;
    }

    /** How the route speaks TLS to its peers ({@code proxy_pass https://}), or empty for plain HTTP. */
    public Optional<UpstreamTls> upstreamTls() {
        return Optional.ofNullable(upstreamTls);
    }

    /** The hash key for {@code hash} and {@code hash consistent}: e.g. {@code $request_uri}. */
    public ValueTemplate hashKey() {
        return hashKey;
    }

    /** {@code proxy_connect_timeout}. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** {@code proxy_send_timeout}: between two successive writes to the peer. */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** {@code proxy_read_timeout}: between two successive reads from the peer. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** {@code proxy_next_upstream}, {@code _tries}, {@code _timeout}. */
    public NextUpstream nextUpstream() {
        return nextUpstream;
    }

    /** {@code proxy_intercept_errors}. */
    public boolean interceptErrors() {
        return interceptErrors;
    }

    /** {@code error_page CODE ...}: the page sent for the proxy's own error or an intercepted response, by status. */
    public Map<Integer, byte[]> errorPages() {
        return errorPages;
    }

    /** {@code proxy_set_header NAME VALUE} lines, in order. */
    public List<Map.Entry<String, ValueTemplate>> setHeaders() {
        return setHeaders;
    }

    /** {@code proxy_http_version 1.1} (true, the default) or {@code 1.0}. */
    public boolean http11() {
        return http11;
    }

    /** {@code proxy_socket_keepalive}: SO_KEEPALIVE on upstream sockets. */
    public boolean socketKeepalive() {
        return socketKeepalive;
    }

    /** {@code proxy_bind}: the local address of upstream connections, or null. */
    public InetAddress bind() {
        return bind;
    }

    /** {@code proxy_ignore_client_abort}. */
    public boolean ignoreClientAbort() {
        return ignoreClientAbort;
    }

    /**
     * {@code proxy_buffering}: whether a response is read ahead into the {@link #buffersCount()} buffers while the
     * client is slower, or relayed through the head buffer alone; an upstream's {@code X-Accel-Buffering: yes|no}
     * overrides it for its response.
     */
    public boolean buffering() {
        return buffering;
    }

    /** {@code proxy_request_buffering}. */
    public boolean requestBuffering() {
        return requestBuffering;
    }

    /** {@code proxy_buffer_size}: the buffer a response head is read into, the largest head accepted from a peer. */
    public int bufferSize() {
        return bufferSize;
    }

    /** The N of {@code proxy_buffers N SIZE}: how many body buffers one buffered response may hold. */
    public int buffersCount() {
        return buffersCount;
    }

    /** The SIZE of {@code proxy_buffers N SIZE}: the size of each body buffer. */
    public int buffersSize() {
        return buffersSize;
    }

    /** The protocols a client may upgrade to through this route, lower case; empty when upgrades are off. */
    public List<String> upgradeProtocols() {
        return upgradeProtocols;
    }

    /** The request rate limits of this route ({@code limit_req}), in the order given; empty by default. */
    public List<RequestLimit> requestLimits() {
        return requestLimits;
    }

    /** The in-progress request limits of this route ({@code limit_conn}), in the order given; empty by default. */
    public List<ConnectionLimit> connectionLimits() {
        return connectionLimits;
    }

    /**
     * Builds a route for {@code location} with {@code options} and adds it to {@code routes}, refusing a location
     * {@code routes} already has ({@code where} names them in the message).
     */
    static void add(List<Route> routes, String location, Consumer<Builder> options, String where) {
        Builder route = builder(location);
        options.accept(route);
        Route built = route.build();
        if (routes.stream().anyMatch(r -> r.location().equals(built.location()))) {
            throw new IllegalArgumentException("route " + location + " is defined twice" + where);
        }
        routes.add(built);
    }

    /** The route's hooks, or null: see {@link Builder#handler}. */
    public ProxyHandler handler() {
        return handler;
    }

    /** The directory the route serves files from ({@code root}), or empty: see {@link Builder#root}. */
    public Optional<Path> root() {
        return Optional.ofNullable(root);
    }

    /** The index files of a route with a {@link #root()} ({@code index}): {@code index.html} by default. */
    public List<String> index() {
        return index;
    }

    /** The longest wait for an answer that comes later ({@link Answer#after}); 60s by default. */
    public Duration hookTimeout() {
        return hookTimeout;
    }

    /** The most body bytes the handler reads before it answers, or 0: see {@link Builder#handlerReadsBody}. */
    public int handlerBodyLimit() {
        return handlerBodyLimit;
    }

    /** The URI part of {@code proxy_pass}, which replaces the route's prefix in the target, or null. */
    public String passUri() {
        return passUri;
    }

    /** The {@link #passUri} when it names variables: the target the peer gets is then its value, whole; else null. */
    public ValueTemplate passUriTemplate() {
        return passTemplate;
    }

    @Override
    public String toString() {
        String does = root != null ? "root " + root : upstream == null ? "return"
                : "proxy_pass http://" + upstream.name() + (passUri == null ? "" : passUri);
        return "location " + location() + " { " + does + "; }";
    }

    /** Builds a {@link Route}; each method names the nginx directive it mirrors and its default. */
    public static final class Builder {

        private static final Duration SIXTY_SECONDS = Duration.ofSeconds(60);
        private static final Duration MAX = Duration.ofDays(365);
        /** The largest body a handler may read: it is held in memory, once per connection that reads one. */
        private static final int MAX_HANDLER_BODY = 64 * 1024 * 1024;

        private final String prefix;
        private final Match match;
        private final Pattern pattern;
        private UpstreamGroup upstream;
        private UpstreamTls upstreamTls;
        private ValueTemplate hashKey = ValueTemplate.parse("hashKey", "$request_uri");
        private Duration connectTimeout = SIXTY_SECONDS;
        private Duration sendTimeout = SIXTY_SECONDS;
        private Duration readTimeout = SIXTY_SECONDS;
        private NextUpstream nextUpstream = NextUpstream.defaults();
        private boolean interceptErrors;
        private final Map<Integer, byte[]> errorPages = new LinkedHashMap<>();
        private final List<Map.Entry<String, ValueTemplate>> setHeaders = new ArrayList<>();
        private boolean http11 = true;
        private boolean socketKeepalive;
        private InetAddress bind;
        private boolean ignoreClientAbort;
        private boolean buffering = true;
        private boolean requestBuffering = true;
        private int handlerBodyLimit;
        private int bufferSize = 4096;
        private int buffersCount = 8;
        private int buffersSize = 4096;
        private List<String> upgradeProtocols = List.of("websocket");
        private final List<RequestLimit> requestLimits = new ArrayList<>();
        private final List<ConnectionLimit> connectionLimits = new ArrayList<>();
        private ProxyHandler handler;
        /** The option by which the route answers every request itself ("answer", "root"), or null. */
        private String answers;
        private Path root;
        /** The index files given, or null for nginx's default. */
        private List<String> index;
        private String passUri;
        private ValueTemplate passTemplate;
        private Duration hookTimeout = SIXTY_SECONDS;

        private Builder(String location) {
            Objects.requireNonNull(location, "location");
            int space = location.indexOf(' ');
            String modifier = space < 0 ? "" : location.substring(0, space);
            this.match = modifier.equals("=") ? Match.EXACT : modifier.equals("^~") ? Match.PREFIX_NO_REGEX
                    : modifier.equals("~") ? Match.REGEX : modifier.equals("~*") ? Match.REGEX_CASELESS : Match.PREFIX;
            this.prefix = match == Match.PREFIX ? location : location.substring(space + 1).strip();
            if (match == Match.REGEX || match == Match.REGEX_CASELESS) {
                try {
                    this.pattern = Pattern.compile(prefix, match == Match.REGEX ? 0 : Pattern.CASE_INSENSITIVE);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("route \"" + location + "\": not a regex: " + e.getDescription());
                }
            } else {
                this.pattern = null;
                if (!prefix.startsWith("/") || prefix.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                    throw new IllegalArgumentException("route \"" + location + "\": the path must start with '/' and"
                            + " hold no spaces or controls (a modifier is =, ^~, ~ or ~*, then a space)");
                }
            }
        }

        /**
         * The route's hooks ({@link ProxyHandler}): answer requests, choose their group, edit what goes upstream and
         * what comes back. None by default.
         */
        public Builder handler(ProxyHandler handler) {
            if (answers != null) {
                throw new IllegalArgumentException("route " + prefix + " answers every request by its " + answers
                        + ": it cannot also have a handler");
            }
            this.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The longest the route waits for a handler's answer that comes later ({@link Answer#after}), as nginx
         * waits for an {@code auth_request} subrequest; beyond it the client gets 500. Default 60s.
         */
        public Builder hookTimeout(Duration timeout) {
            this.hookTimeout = positive("hookTimeout", timeout);
            return this;
        }

        /**
         * The handler reads the request body before it answers: the proxy reads a body of at most {@code maxBytes}
         * whole, in memory, before {@link ProxyHandler#onRequest}, which finds it in {@link ProxyRequest#body()}, as
         * do the later phases; a longer body is answered 413 and reaches no peer. A body the handler lets through
         * goes upstream as read. Off by default: {@code onRequest} runs before the body is read, so a refusal costs
         * no body; needs request buffering (on by default). nginx reads a body for a module with {@code
         * ngx_http_read_client_request_body}; {@code $request_body} is its variable.
         */
        public Builder handlerReadsBody(int maxBytes) {
            if (maxBytes <= 0 || maxBytes > MAX_HANDLER_BODY) {
                throw new IllegalArgumentException("handlerReadsBody must be more than 0 and at most "
                        + MAX_HANDLER_BODY + " bytes: " + maxBytes);
            }
            this.handlerBodyLimit = maxBytes;
            return this;
        }

        /**
         * nginx's {@code return}: the route answers every request with {@code answer} and proxies nothing, so it
         * has no upstream, no {@link #handler} and no {@link #root}.
         */
        public Builder answer(Answer answer) {
            Objects.requireNonNull(answer, "answer");
            return answering("answer", request -> answer);
        }

        /**
         * nginx's {@code return CODE TEXT} and {@code return CODE URL}: the route answers every request with {@code
         * status} and proxies nothing, as {@link #answer} does; for a redirect (301, 302, 303, 307, 308) {@code text}
         * is the Location, otherwise the body, as {@code text/plain} (an empty text: nginx's own page for a status of
         * 400 or more, else no body). The text may hold variables ({@link ValueTemplate}), evaluated per request:
         * {@code returns(301, "https://$host$request_uri")}.
         */
        public Builder returns(int status, String text) {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("return status must be between 200 and 599: " + status);
            }
            ValueTemplate template = ValueTemplate.parse("return", Objects.requireNonNull(text, "text"),
                    !isRedirect(status));
            Function<String, Answer> answer = value -> value.isEmpty() ? Answer.of(status)
                    : isRedirect(status) ? Answer.redirect(status, value) : Answer.of(status, value);
            if (template.isConstant()) {
                Answer fixed = answer.apply(text);
                return answering("answer", request -> fixed);
            }
            return answering("answer", request -> answer.apply(request.value(template)));
        }

        private static boolean isRedirect(int status) {
            return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
        }

        /** Makes {@code answer} the route's handler, by {@code option}: see {@link #answersEvery}. */
        private Builder answering(String option, Function<ProxyRequest, Answer> answer) {
            answersEvery(option);
            this.handler = new ProxyHandler() {
                @Override
                public Answer onRequest(ProxyRequest request) {
                    return answer.apply(request);
                }
            };
            return this;
        }

        /**
         * nginx's {@code root DIR} with what {@code try_files $uri =404} answers: the route serves GET and HEAD
         * itself from the files under {@code directory} and proxies nothing, so it has no upstream, no {@link
         * #handler} and no {@link #answer}. For the small files a configuration points its error pages at ({@code
         * error_page 500 /error_500.txt; location = /error_500.txt { root html/; }}) and a few assets: each file is
         * read when requested (nothing is cached), whole, into memory, on the event loop, as an nginx worker without
         * {@code aio} reads it; it is no way to serve large downloads. None by default.
         *
         * <ul>
         *   <li>The file is {@code directory} followed by the request's path, nginx's {@code $uri} ({@link
         *       ProxyRequest#path()}: decoded, dot-segments resolved). It gets 200 with a {@code Content-Type} by its
         *       extension from the common lines of nginx's {@code mime.types} ({@code application/octet-stream}, the
         *       stock {@code default_type}, for others, no charset), {@code Last-Modified} and {@code
         *       Content-Length}; a HEAD gets the same head without the body. No ETag, no ranges, no 304: every GET
         *       gets the whole file.
         *   <li>A directory, asked for with a '/' at the end, serves its first {@link #index} file, or is 403: there
         *       is never a listing (nginx's {@code autoindex off}). Asked for without the '/', it is a 301 to the
         *       path with it, as nginx sends (the {@code Location} is a path, as with {@code absolute_redirect
         *       off}).
         *   <li>A missing file is 404, and so is anything but a regular file or a directory. A file the process may
         *       not read is 403.
         *   <li>A method but GET and HEAD is 405 with {@code Allow: GET, HEAD}, before the file is looked for.
         *   <li>A file larger than 1 MiB is 500, logged: a file is held whole in memory and read on the loop that
         *       serves other connections meanwhile, so the limit bounds both; a file that large belongs to a file
         *       server behind an upstream.
         * </ul>
         *
         * <p>No file outside {@code directory} is served: a path whose real path (with every symbolic link followed)
         * is not under the directory's real path is 404, as is a path segment that holds a control byte or is not
         * UTF-8. Links that stay inside are followed; one pointing out is refused, where nginx's default ({@code
         * disable_symlinks off}) would follow it. The check guards against what the directory holds, not against a
         * local user who swaps a link in while a request is served. A relative directory is taken from the working
         * directory (nginx takes it from its prefix); it need not exist when the route is built, and a request
         * while it does not is 404.
         */
        public Builder root(Path directory) {
            Objects.requireNonNull(directory, "root");
            answersEvery("root");
            this.root = directory;
            return this;
        }

        /**
         * nginx's {@code index NAME ...}: the files a directory of the {@link #root} is answered with, the first that
         * is a regular file winning; default {@code index.html}. Each is a plain file name (nginx also takes a path,
         * and redirects internally to it, which may end in another route; here the file is served from the same
         * directory).
         */
        public Builder index(String... names) {
            Objects.requireNonNull(names, "index");
            if (names.length == 0) {
                throw new IllegalArgumentException("index needs at least one file name");
            }
            for (String name : names) {
                Objects.requireNonNull(name, "index");
                if (name.isEmpty() || name.equals(".") || name.equals("..") || name.chars().anyMatch(
                        c -> c < ' ' || c == 0x7f || c == '/' || c == '\\')) {
                    throw new IllegalArgumentException("index: not a plain file name: \"" + name + "\"");
                }
            }
            this.index = List.of(names);
            return this;
        }

        /**
         * Makes {@code option} the way the route answers every request itself: it then proxies nothing, so it has
         * no handler of the user's, no upstream (checked at {@link #build}) and no other such option.
         */
        private void answersEvery(String option) {
            if (answers == null ? handler != null : !answers.equals(option)) {
                throw new IllegalArgumentException("route " + prefix + (answers == null ? " has a handler"
                        : " answers every request by its " + answers) + ": it cannot also answer by its " + option);
            }
            this.answers = option;
        }

        /**
         * The URI part of {@code proxy_pass http://GROUP/URI}: it replaces the route's prefix in the target the peer
         * gets, so that route {@code /api/} with {@code passUri("/")} sends {@code /api/items?x=1} as {@code
         * /items?x=1}, as nginx does. Without it (the default) the target goes as the client sent it.
         *
         * <p>A URI that names variables ({@link ValueTemplate}) is the whole target, as nginx's {@code proxy_pass}
         * with variables: the client's query is not added unless the URI names {@code $args}. In a regex route it may
         * name the groups the pattern captured: route {@code "~ ^/users/(\\d+)$"} with {@code
         * passUri("/profile?id=$1")} sends {@code /users/42} as {@code /profile?id=42}. What a variable brings is
         * escaped where it could break the request line (spaces, controls and bytes above 0x7e as {@code %XX}). A
         * regex route takes only such a URI: nginx has no prefix to replace there.
         */
        public Builder passUri(String uri) {
            Objects.requireNonNull(uri, "passUri");
            boolean template = uri.indexOf('$') >= 0;
            if (!uri.startsWith("/") || uri.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '#'
                    || c == '?' && !template)) {
                throw new IllegalArgumentException("passUri must be a path starting with '/', with no spaces, controls,"
                        + " '#' or (unless it names variables) '?': \"" + uri + "\"");
            }
            this.passTemplate = template ? ValueTemplate.parse("passUri", uri) : null;
            this.passUri = uri;
            return this;
        }

        /**
         * {@code proxy_pass http://GROUP}: required, unless the route answers every request itself ({@link #answer},
         * {@link #root}), when it must have none.
         */
        public Builder upstream(UpstreamGroup upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        /**
         * Speaks TLS to the peers ({@code proxy_pass https://}) as {@code tls} says; plain HTTP by default. Whatever
         * group a request goes to, its handler's choice included, is spoken to so.
         */
        public Builder upstreamTls(UpstreamTls tls) {
            this.upstreamTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The key of {@code hash KEY}: a template of text and variables; default {@code $request_uri}. */
        public Builder hashKey(String template) {
            this.hashKey = ValueTemplate.parse("hashKey", template);
            return this;
        }

        /** {@code proxy_connect_timeout}, default 60s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** {@code proxy_send_timeout}, default 60s: between two successive writes, not for the whole request. */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = positive("sendTimeout", timeout);
            return this;
        }

        /**
         * {@code proxy_read_timeout}, default 60s: between two successive reads, not for the whole response. Also
         * the idle limit of an upgraded connection: it closes after this long with no byte either way (nginx counts
         * only the upstream's bytes).
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive("readTimeout", timeout);
            return this;
        }

        /** {@code proxy_next_upstream} and its tries and timeout; default {@code error timeout}. */
        public Builder nextUpstream(NextUpstream nextUpstream) {
            this.nextUpstream = Objects.requireNonNull(nextUpstream, "nextUpstream");
            return this;
        }

        /** {@code proxy_intercept_errors on|off}, default off: replace a peer's response of status 300 or more with
         * the {@link #errorPage} for its status, when there is one. */
        public Builder interceptErrors(boolean intercept) {
            this.interceptErrors = intercept;
            return this;
        }

        /**
         * {@code error_page CODE ... PAGE}: the body sent as {@code text/html}, with the status kept, when the
         * proxy answers this route's request with {@code status} itself (a 502 or 504 when no peer answers, a 413,
         * a limit's 503), and for an upstream's response with it under {@link #interceptErrors}; nginx sends its
         * {@code error_page} in both cases.
         */
        public Builder errorPage(int status, String body) {
            return errorPage(status, body.getBytes(StandardCharsets.UTF_8));
        }

        /** {@code error_page CODE ... PAGE}, with the page as bytes. */
        public Builder errorPage(int status, byte[] body) {
            if (status < 300 || status > 599) {
                throw new IllegalArgumentException("errorPage status must be between 300 and 599: " + status);
            }
            errorPages.put(status, body.clone());
            return this;
        }

        /** {@code proxy_set_header NAME VALUE}: VALUE may hold {@code $host}, {@code $remote_addr}, {@code
         * $proxy_add_x_forwarded_for}, {@code $scheme} and other variables; an empty VALUE removes the field. */
        public Builder setHeader(String name, String value) {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("setHeader name must be a field name token: \"" + name + "\"");
            }
            String canonical = name.toLowerCase(Locale.ROOT).equals("host") ? "Host" : name;
            setHeaders.removeIf(e -> e.getKey().equalsIgnoreCase(canonical));
            setHeaders.add(Map.entry(canonical, ValueTemplate.parse("setHeader " + name, value)));
            return this;
        }

        /** {@code proxy_http_version 1.1} (the default, as nginx since 1.29.7) or {@code 1.0}. */
        public Builder httpVersion(String version) {
            if (!version.equals("1.1") && !version.equals("1.0")) {
                throw new IllegalArgumentException("httpVersion must be 1.0 or 1.1: " + version);
            }
            this.http11 = version.equals("1.1");
            return this;
        }

        /** {@code proxy_socket_keepalive on|off}, default off. */
        public Builder socketKeepalive(boolean on) {
            this.socketKeepalive = on;
            return this;
        }

        /** {@code proxy_bind ADDRESS}: the local address upstream connections come from. */
        public Builder bind(InetAddress address) {
            this.bind = Objects.requireNonNull(address, "bind");
            return this;
        }

        /** {@code proxy_ignore_client_abort on|off}, default off. */
        public Builder ignoreClientAbort(boolean ignore) {
            this.ignoreClientAbort = ignore;
            return this;
        }

        /**
         * {@code proxy_buffering on|off}, default on. On: the response body is read ahead into up to {@link
         * #buffers} buffers while the client is slower, so a fast upstream is released as soon as the response fits
         * in them; when they are full, reading from the upstream waits for the client. Off: each read from the
         * upstream is written to the client before the next one, through the head buffer alone. Either way no byte
         * waits for a buffer to fill: unlike nginx, which holds a partly filled buffer back, Sluice writes what it
         * has whenever the client can take it, so buffering adds read-ahead and never latency. Nothing is written
         * to a temporary file, as nginx with {@code proxy_max_temp_file_size 0}. An upstream response's {@code
         * X-Accel-Buffering: yes} or {@code no} (any case) overrides this for that response, as nginx does without
         * {@code proxy_ignore_headers}; the field is never forwarded.
         */
        public Builder buffering(boolean on) {
            this.buffering = on;
            return this;
        }

        /**
         * {@code proxy_request_buffering on|off}, default on. On: the whole request body is read before a peer is
         * chosen (up to {@code clientMaxBodySize}; beyond {@code clientBodyBufferSize} it goes to a temporary file),
         * so a retry can send it again; a chunked body goes as its payload with a {@code Content-Length}, as nginx
         * sends it. Off: the body streams to the peer as it arrives, a chunked one with its framing intact; once a
         * byte of the request reached a peer the request is never retried, as nginx, and a failure of the peer is
         * answered 502 (504 for a timeout) with the client connection closed. With it off, {@code Expect:
         * 100-continue} is answered once a peer is connected, when the body is first needed. As nginx documents, a
         * chunked body is buffered whatever this says when the peer is spoken to in HTTP/1.0 ({@link
         * #httpVersion}), which has no chunked coding.
         */
        public Builder requestBuffering(boolean on) {
            this.requestBuffering = on;
            return this;
        }

        /**
         * {@code proxy_buffer_size}: the buffer a response head is read into, and so the largest head accepted, 1 KiB
         * to 1 MiB; default 4k (one page). What follows the head in the same read stays in it for the body (and, with
         * {@link #buffering} off, the whole body passes through it), as in nginx.
         */
        public Builder bufferSize(int bytes) {
            if (bytes < 1024 || bytes > 1 << 20) {
                throw new IllegalArgumentException("bufferSize must be between 1024 and 1048576 bytes: " + bytes);
            }
            this.bufferSize = bytes;
            return this;
        }

        /**
         * {@code proxy_buffers N SIZE}: with buffering on, a response is read ahead into at most {@code count}
         * buffers of {@code size} bytes, so a slow client costs at most count × size of memory however large the
         * response; default 8 × 4k (one page, as nginx). Buffers are taken from the event loop's pool when the
         * response needs them and given back when it ends. {@code count} is 2 to 1024 and {@code size} 1 KiB to
         * 1 MiB. There is no {@code proxy_busy_buffers_size}: with no temporary file every buffer that is not
         * being filled is being sent, so there is nothing for it to limit.
         */
        public Builder buffers(int count, int size) {
            if (count < 2 || count > 1024) {
                throw new IllegalArgumentException("buffers count must be between 2 and 1024: " + count);
            }
            if (size < 1024 || size > 1 << 20) {
                throw new IllegalArgumentException("buffers size must be between 1024 and 1048576 bytes: " + size);
            }
            this.buffersCount = count;
            this.buffersSize = size;
            return this;
        }

        /**
         * The protocols a client may switch to through this route ({@code Upgrade} tokens, matched by name ignoring
         * case and any {@code /version}); default {@code websocket}; none turns upgrades off. nginx forwards no
         * Upgrade field unless told to with {@code proxy_set_header Upgrade $http_upgrade}, and then forwards any;
         * Sluice forwards an upgrade only when every protocol the client offers is listed here. {@code h2c}, {@code
         * h2} and {@code http} are refused: a 101 to one of them would give the client an HTTP/2 or raw connection
         * to the upstream past every check, header rule and log line of the proxy.
         */
        public Builder upgradeProtocols(String... protocols) {
            Objects.requireNonNull(protocols, "upgradeProtocols");
            List<String> names = new ArrayList<>();
            for (String protocol : protocols) {
                Objects.requireNonNull(protocol, "upgradeProtocols");
                if (!protocol.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new IllegalArgumentException("upgradeProtocols: not a protocol name: \"" + protocol + "\"");
                }
                String name = protocol.toLowerCase(Locale.ROOT);
                if (name.equals("h2c") || name.equals("h2") || name.equals("http")) {
                    throw new IllegalArgumentException("upgradeProtocols: " + protocol + " is never forwarded: a 101 "
                            + "would hand the client a connection to the upstream past the proxy's checks");
                }
                if (!names.contains(name)) {
                    names.add(name);
                }
            }
            this.upgradeProtocols = List.copyOf(names);
            return this;
        }

        /**
         * {@code limit_req zone=...}: requests through this route count against {@code limit}, a zone that other
         * routes may share. Several limits may be given, as nginx allows several {@code limit_req}: a request waits
         * for the longest delay among them and is rejected when any rejects it (the limits before the rejecting one
         * have counted it, where nginx takes it back). No limit by default.
         */
        public Builder limitRequests(RequestLimit limit) {
            requestLimits.add(Objects.requireNonNull(limit, "limitRequests"));
            return this;
        }

        /**
         * {@code limit_conn ZONE N}: requests through this route count as in progress against {@code limit}, a zone
         * that other routes may share, from their head until their exchange ends. No limit by default.
         */
        public Builder limitConnections(ConnectionLimit limit) {
            connectionLimits.add(Objects.requireNonNull(limit, "limitConnections"));
            return this;
        }

        private static Duration positive(String option, Duration value) {
            Objects.requireNonNull(value, option);
            if (value.isNegative() || value.isZero() || value.compareTo(MAX) > 0) {
                throw new IllegalArgumentException(option + " must be more than 0 and at most 365d: " + value);
            }
            return value;
        }

        /** Checks the route and builds it. */
        public Route build() {
            if (upstream == null && answers == null) {
                throw new IllegalArgumentException("route " + prefix + " has no upstream");
            }
            if (upstream != null && answers != null) {
                throw new IllegalArgumentException("route " + prefix + " answers every request by its " + answers
                        + ": it cannot also have an upstream");
            }
            if (root == null && index != null) {
                throw new IllegalArgumentException("route " + prefix + " has an index but no root");
            }
            if (passUri != null && pattern != null && passTemplate == null) {
                throw new IllegalArgumentException("route " + prefix + ": a regex route's passUri must name variables"
                        + " or captures ($1), as nginx's proxy_pass has no plain URI part in a regex location");
            }
            if (handlerBodyLimit > 0 && !requestBuffering) {
                throw new IllegalArgumentException("route " + prefix + ": a handler that reads the body needs"
                        + " requestBuffering on");
            }
            int capture = passTemplate == null ? 0 : passTemplate.highestCapture();
            int groups = pattern == null ? 0 : pattern.matcher("").groupCount();
            if (capture > groups) {
                throw new IllegalArgumentException("route " + prefix + ": passUri uses $" + capture + " but the "
                        + (pattern == null ? "route is not a regex route" : "regex captures " + groups + " group(s)"));
            }
            return new Route(this);
        }
    }
}
