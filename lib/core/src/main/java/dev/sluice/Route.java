package dev.sluice;

import dev.sluice.upstream.UpstreamGroup;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

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
        REGEX_CASELESS,
        /**
         * {@code location @NAME}: matches no path; only a {@link Answer#reroute reroute} to {@code @NAME} reaches it
         * (an {@code error_page} or {@code tryFiles} naming it), with the request's target unchanged.
         */
        NAMED
    }

    private final RouteLocation location;
    private final RouteOptions options;

    private Route(RouteLocation location, RouteOptions options) {
        this.location = location;
        this.options = options.frozen();
    }

    /**
     * Starts a route for {@code location}, in nginx's form: {@code "/x"} (a prefix), {@code "= /x"}, {@code "^~ /x"},
     * {@code "~ REGEX"} or {@code "~* REGEX"}.
     */
    public static Builder builder(String location) {
        return new Builder(location, Set.of());
    }

    /** The path of a prefix or exact route, or the regex of a regex route: the location without its modifier. */
    public String prefix() {
        return location.prefix();
    }

    /** How this route matches: {@link Match#PREFIX} unless its location has a modifier. */
    public Match match() {
        return location.match();
    }

    /** The compiled regex of a {@code ~} or {@code ~*} route, or null. */
    public Pattern pattern() {
        return location.pattern();
    }

    /** The location as nginx writes it, e.g. {@code "^~ /static/"}. */
    public String location() {
        return location.toString();
    }

    /** The group requests go to ({@code proxy_pass http://GROUP}). */
    public UpstreamGroup upstream() {
        return options.upstream;
    }

    /** How the route speaks TLS to its peers ({@code proxy_pass https://}), or empty for plain HTTP. */
    public Optional<UpstreamTls> upstreamTls() {
        return Optional.ofNullable(options.upstreamTls);
    }

    /** The hash key for {@code hash} and {@code hash consistent}: e.g. {@code $request_uri}. */
    public ValueTemplate hashKey() {
        return options.hashKey;
    }

    /** {@code proxy_connect_timeout}. */
    public Duration connectTimeout() {
        return options.connectTimeout;
    }

    /** {@code proxy_send_timeout}: between two successive writes to the peer. */
    public Duration sendTimeout() {
        return options.sendTimeout;
    }

    /** {@code proxy_read_timeout}: for the response head from the end of the request, then between two reads. */
    public Duration readTimeout() {
        return options.readTimeout;
    }

    /** {@code proxy_next_upstream}, {@code _tries}, {@code _timeout}. */
    public NextUpstream nextUpstream() {
        return options.nextUpstream;
    }

    /** {@code proxy_intercept_errors}. */
    public boolean interceptErrors() {
        return options.interceptErrors;
    }

    /** {@code error_page CODE ...}: what answers the proxy's own error or an intercepted response, by its status. */
    public Map<Integer, ErrorPage> errorPages() {
        return options.errorPages;
    }

    /** {@code proxy_set_header NAME VALUE} lines, in order. */
    public List<Map.Entry<String, ValueTemplate>> setHeaders() {
        return options.setHeaders;
    }

    /** {@code proxy_http_version 1.1} (true, the default) or {@code 1.0}. */
    public boolean http11() {
        return options.http11;
    }

    /** {@code proxy_socket_keepalive}: SO_KEEPALIVE on upstream sockets. */
    public boolean socketKeepalive() {
        return options.socketKeepalive;
    }

    /** {@code proxy_bind}: the local address of upstream connections, or null. */
    public InetAddress bind() {
        return options.bind;
    }

    /** {@code proxy_ignore_client_abort}. */
    public boolean ignoreClientAbort() {
        return options.ignoreClientAbort;
    }

    /** The route's own {@code client_max_body_size} in bytes (0: none), or -1 for the proxy's. */
    public long clientMaxBodySize() {
        return options.clientMaxBodySize;
    }

    /** Whether only a rerouted request reaches the route ({@code internal}); see {@link Builder#internal}. */
    public boolean internal() {
        return options.internal;
    }

    /** Whether the route follows a peer's {@code X-Accel-Redirect}: unless {@link Builder#ignoreHeaders} names it. */
    public boolean followsAccelRedirect() {
        return !options.ignoreHeaders.contains("x-accel-redirect");
    }

    /** Whether a peer's {@code X-Accel-Buffering} applies: unless {@link Builder#ignoreHeaders} names it. */
    public boolean followsAccelBuffering() {
        return !options.ignoreHeaders.contains("x-accel-buffering");
    }

    /**
     * The route's {@code proxy_redirect} lines in their order, the first that matches a URL rewriting it: {@link
     * ProxyRedirect#DEFAULT} alone unless told otherwise ({@link Builder#redirectRewrite(boolean)}, {@link
     * Builder#redirectRewrite(String, String)}); none for {@code off}.
     */
    public List<ProxyRedirect> redirectRewrites() {
        return options.redirects == null ? List.of(ProxyRedirect.DEFAULT) : options.redirects;
    }

    /**
     * {@code proxy_buffering}: whether a response is read ahead into the {@link #buffersCount()} buffers while the
     * client is slower, or relayed through the head buffer alone; an upstream's {@code X-Accel-Buffering: yes|no}
     * overrides it for its response.
     */
    public boolean buffering() {
        return options.buffering;
    }

    /** {@code proxy_request_buffering}. */
    public boolean requestBuffering() {
        return options.requestBuffering;
    }

    /** {@code proxy_buffer_size}: the buffer a response head is read into, the largest head accepted from a peer. */
    public int bufferSize() {
        return options.bufferSize;
    }

    /** The N of {@code proxy_buffers N SIZE}: how many body buffers one buffered response may hold. */
    public int buffersCount() {
        return options.buffersCount;
    }

    /** The SIZE of {@code proxy_buffers N SIZE}: the size of each body buffer. */
    public int buffersSize() {
        return options.buffersSize;
    }

    /** The protocols a client may upgrade to through this route, lower case; empty when upgrades are off. */
    public List<String> upgradeProtocols() {
        return options.upgradeProtocols;
    }

    /** The request rate limits of this route ({@code limit_req}), in the order given; empty by default. */
    public List<RequestLimit> requestLimits() {
        return options.requestLimits;
    }

    /** The in-progress request limits of this route ({@code limit_conn}), in the order given; empty by default. */
    public List<ConnectionLimit> connectionLimits() {
        return options.connectionLimits;
    }

    /**
     * Builds a route for {@code location} with {@code options} and adds it to {@code routes}, refusing a location
     * {@code routes} already has ({@code where} names them in the message); its values may name the variables of
     * {@code maps}.
     */
    static void add(List<Route> routes, String location, Consumer<Builder> options, String where, Set<String> maps) {
        Builder route = new Builder(location, maps);
        options.accept(route);
        Route built = route.build();
        if (routes.stream().anyMatch(r -> r.location().equals(built.location()))) {
            throw new IllegalArgumentException("route " + location + " is defined twice" + where);
        }
        routes.add(built);
    }

    /** The route's hooks, or null: see {@link Builder#handler}. */
    public ProxyHandler handler() {
        return options.handler;
    }

    /**
     * The directory the route serves files from ({@code root}, or {@code alias} when {@link #aliased()}), or empty:
     * see {@link Builder#root} and {@link Builder#alias}.
     */
    public Optional<Path> root() {
        return Optional.ofNullable(options.root);
    }

    /** Whether the {@link #root()} is nginx's {@code alias}, which replaces the route's path: see {@link Builder#alias}. */
    public boolean aliased() {
        return options.aliasOf != null;
    }

    /** The index files of a route with a {@link #root()} ({@code index}): {@code index.html} by default. */
    public List<String> index() {
        return options.index;
    }

    /** nginx's {@code try_files} of a route with a {@link #root()}, as given; empty without ({@link Builder#tryFiles}). */
    public List<String> tryFiles() {
        return options.tryFilesGiven == null ? List.of() : options.tryFilesGiven;
    }

    /** The longest wait for an answer that comes later ({@link Answer#after}); 60s by default. */
    public Duration hookTimeout() {
        return options.hookTimeout;
    }

    /** The most body bytes the handler reads before it answers, or 0: see {@link Builder#handlerReadsBody}. */
    public int handlerBodyLimit() {
        return options.handlerBodyLimit;
    }

    /** The URI part of {@code proxy_pass}, which replaces the route's prefix in the target, or null. */
    public String passUri() {
        return options.passUri;
    }

    /** The types of what the route serves itself ({@link Builder#mediaTypes}). */
    public MediaTypes mediaTypes() {
        return options.mediaTypes;
    }

    /** The {@link #passUri} when it names variables: the target the peer gets is then its value, whole; else null. */
    public ValueTemplate passUriTemplate() {
        return options.passTemplate;
    }

    @Override
    public String toString() {
        String does = options.root != null ? (options.aliasOf != null ? "alias " : "root ") + options.root
                : options.upstream == null ? "return"
                : "proxy_pass http://" + options.upstream.name() + (options.passUri == null ? "" : options.passUri);
        return "location " + location() + " { " + does + "; }";
    }

    /** Builds a {@link Route}; each method names the nginx directive it mirrors and its default. */
    public static final class Builder {

        private final RouteLocation location;
        /** The variables its values may name beyond the proxy's own. */
        private final VariableNames names;
        private final RouteOptions options = new RouteOptions();
        /** The option by which the route answers every request itself ("answer", "root"), or null. */
        private String answers;

        private Builder(String location, Set<String> maps) {
            this.location = RouteLocation.parse(location);
            this.names = new VariableNames(this.location.groupNames(), maps);
        }

        /**
         * The route's hooks ({@link ProxyHandler}): answer requests, choose their group, edit what goes upstream and
         * what comes back. None by default.
         */
        public Builder handler(ProxyHandler handler) {
            if (answers != null) {
                throw new IllegalArgumentException("route " + location.prefix() + " answers every request by its "
                        + answers + ": it cannot also have a handler");
            }
            options.handler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The longest the route waits for a handler's answer that comes later ({@link Answer#after}), as nginx
         * waits for an {@code auth_request} subrequest; beyond it the client gets 500. Default 60s.
         */
        public Builder hookTimeout(Duration timeout) {
            options.hookTimeout = RouteChecks.positive("hookTimeout", timeout);
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
            options.handlerBodyLimit = RouteChecks.handlerBodyLimit(maxBytes);
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
         * is the Location, otherwise the body, of the type the route's {@link #mediaTypes} give the request's path
         * (by default {@code application/octet-stream} for a path without a known extension, as the stock {@code
         * nginx.conf} has it; {@code mediaTypes(MediaTypes.nginx().toBuilder().defaultType("text/plain").build())}
         * for plain text); an empty text is nginx's own page for a status of 400 or more, else an empty body. The
         * text may hold variables ({@link ValueTemplate}), evaluated per request: {@code returns(301,
         * "https://$host$request_uri")}.
         */
        public Builder returns(int status, String text) {
            ValueTemplate parsed = ReturnHandler.text(status, text, names);
            answersEvery("answer");
            options.handler = null;
            options.returnStatus = status;
            options.returnText = parsed;
            return this;
        }

        /** Makes {@code answer} the route's handler, by {@code option}: see {@link #answersEvery}. */
        private Builder answering(String option, Function<ProxyRequest, Answer> answer) {
            answersEvery(option);
            options.handler = ReturnHandler.of(answer);
            options.returnStatus = 0;
            options.returnText = null;
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
         *       ProxyRequest#path()}: decoded, dot-segments resolved). It gets 200 with the {@code Content-Type} the
         *       route's {@link #mediaTypes} give that path's extension (by default nginx's {@code mime.types}, and
         *       {@code application/octet-stream} for others; no charset), {@code Last-Modified} and {@code
         *       Content-Length}; a HEAD gets the same head without the body. No ETag, no ranges, no 304: every GET
         *       gets the whole file.
         *   <li>A directory, asked for with a '/' at the end, is rerouted to its first {@link #index} file ({@link
         *       Answer#reroute}, nginx's internal redirect), which the route of that file's path serves; without one it
         *       is 403: there is never a listing (nginx's {@code autoindex off}). Asked for without the '/', it is a 301 to the
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
            options.root = directory;
            return this;
        }

        /**
         * nginx's {@code alias PATH}: as {@link #root}, but the route's path is replaced by {@code path} instead of
         * being part of the file's: {@code /static/css/a.css} of route {@code /static/} with {@code
         * alias(Path.of("/srv/assets"))} is {@code /srv/assets/css/a.css}, and an exact route may alias one file
         * ({@code "= /favicon.ico"}). Not for a regex route (nginx's alias there names its captures). Where the route's
         * path lacks a final '/' ({@code /i} with {@code /data/images}), a request's {@code /itop.gif} is 404, where
         * nginx reads the alias's sibling {@code /data/imagestop.gif}: nothing outside the alias is served.
         */
        public Builder alias(Path path) {
            Objects.requireNonNull(path, "alias");
            if (location.pattern() != null) {
                throw new IllegalArgumentException("route " + location + ": alias is for a prefix or exact route"
                        + " (a regex route's alias would name its captures)");
            }
            answersEvery("alias");
            options.root = path;
            options.aliasOf = location.prefix();
            return this;
        }

        /**
         * nginx's {@code types} block and {@code default_type}: the {@code Content-Type} of a file the route serves
         * ({@link #root}, {@link #alias}) and of a {@link #returns} text, by the extension of the request's path.
         * Default {@link MediaTypes#nginx()}: the {@code mime.types} nginx ships and {@code
         * application/octet-stream} for the rest, as the stock {@code nginx.conf} has it.
         */
        public Builder mediaTypes(MediaTypes types) {
            options.mediaTypes = Objects.requireNonNull(types, "mediaTypes");
            return this;
        }

        /**
         * nginx's {@code index NAME ...}: the files a directory of the {@link #root} is answered with, the first that
         * is a regular file winning; default {@code index.html}. The request is rerouted to it as nginx redirects
         * internally, so the route of the file's own path serves it ({@code /app/} with {@code index.php} may end in
         * a route {@code ~ \.php$} that proxies). Each is a plain file name (nginx also takes a path).
         */
        public Builder index(String... names) {
            options.index = RouteChecks.index(names);
            return this;
        }

        /**
         * nginx's {@code try_files FILE ... FALLBACK} for a route with a {@link #root} or {@link #alias}: the first
         * FILE that is there is served as that file ({@code $uri.html} as HTML; one ending in '/' must be a directory,
         * which is answered with its {@link #index}); when none is, FALLBACK answers: {@code =CODE} that status,
         * {@code @NAME} the named route ({@code location @NAME}), or a target, to which the request is {@link
         * Answer#reroute rerouted} ({@code /index.html}, a single-page app's, or {@code /index.php?$args}). Each
         * FILE and a target are templates of the request's variables ({@code $uri}). Only a file that is found is
         * held to GET and HEAD, so {@code tryFiles("$uri", "@app")} serves the files it has and sends every other
         * request, a POST included, to the named route, as nginx does.
         */
        public Builder tryFiles(String... args) {
            options.tryFiles = RouteChecks.tryFiles(names, args);
            options.tryFilesGiven = List.of(args);
            return this;
        }

        /**
         * Makes {@code option} the way the route answers every request itself: it then proxies nothing, so it has
         * no handler of the user's, no upstream (checked at {@link #build}) and no other such option.
         */
        private void answersEvery(String option) {
            if (answers == null ? options.handler != null : !answers.equals(option)) {
                throw new IllegalArgumentException("route " + location.prefix() + (answers == null ? " has a handler"
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
         * regex route takes only such a URI: nginx has no prefix to replace there. It starts with '/', or with {@code
         * $request_uri} or {@code $uri}, whose values do ({@code proxy_pass http://backend$request_uri}).
         */
        public Builder passUri(String uri) {
            options.passTemplate = RouteChecks.passUri(uri, names);
            options.passUri = uri;
            return this;
        }

        /**
         * {@code proxy_pass http://GROUP}: required, unless the route answers every request itself ({@link #answer},
         * {@link #root}), when it must have none.
         */
        public Builder upstream(UpstreamGroup upstream) {
            options.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        /**
         * Speaks TLS to the peers ({@code proxy_pass https://}) as {@code tls} says; plain HTTP by default. Whatever
         * group a request goes to, its handler's choice included, is spoken to so.
         */
        public Builder upstreamTls(UpstreamTls tls) {
            options.upstreamTls = Objects.requireNonNull(tls, "tls");
            return this;
        }

        /** The key of {@code hash KEY}: a template of text and variables; default {@code $request_uri}. */
        public Builder hashKey(String template) {
            options.hashKey = ValueTemplate.parse("hashKey", template, false, names);
            return this;
        }

        /** {@code proxy_connect_timeout}, default 60s. */
        public Builder connectTimeout(Duration timeout) {
            options.connectTimeout = RouteChecks.positive("connectTimeout", timeout);
            return this;
        }

        /** {@code proxy_send_timeout}, default 60s: between two successive writes, not for the whole request. */
        public Builder sendTimeout(Duration timeout) {
            options.sendTimeout = RouteChecks.positive("sendTimeout", timeout);
            return this;
        }

        /**
         * {@code proxy_read_timeout}, default 60s: the whole response head must come within it once the request
         * went out (as nginx's timer, set after sending, runs on while the head trickles in), then it is the limit
         * between two successive reads of the body, not for the whole response. Also the idle limit of an upgraded
         * connection: it closes after this long with no byte either way (nginx counts only the upstream's bytes).
         */
        public Builder readTimeout(Duration timeout) {
            options.readTimeout = RouteChecks.positive("readTimeout", timeout);
            return this;
        }

        /** {@code proxy_next_upstream} and its tries and timeout; default {@code error timeout}. */
        public Builder nextUpstream(NextUpstream nextUpstream) {
            options.nextUpstream = Objects.requireNonNull(nextUpstream, "nextUpstream");
            return this;
        }

        /** {@code proxy_intercept_errors on|off}, default off: replace a peer's response of status 300 or more with
         * the {@link #errorPage} for its status, when there is one. */
        public Builder interceptErrors(boolean intercept) {
            options.interceptErrors = intercept;
            return this;
        }

        /**
         * {@code error_page CODE ... PAGE}: the body sent as {@code text/html}, with the status kept, when the
         * proxy answers this route's request with {@code status} itself (a 502 or 504 when no peer answers, a 413,
         * a limit's 503, a file of the {@link #root} that is not there, an answer of the status alone such as {@link
         * Answer#of(int)} or {@code return 410}), and for an upstream's response with it under {@link
         * #interceptErrors}; nginx sends its {@code error_page} in all these cases.
         */
        public Builder errorPage(int status, String body) {
            return errorPage(status, body.getBytes(StandardCharsets.UTF_8));
        }

        /** {@code error_page CODE ... PAGE}, with the page as bytes. */
        public Builder errorPage(int status, byte[] body) {
            return errorPage(status, new ErrorPage(status, body.clone(), null));
        }

        /**
         * {@code error_page CODE ... PAGE}, with the page read now from {@code file} and sent with the type of its
         * name ({@link ErrorPage#file}): {@code 50x.html} as {@code text/html}, {@code 404.json} as {@code
         * application/json}.
         *
         * @throws java.io.UncheckedIOException when the file cannot be read
         */
        public Builder errorPage(int status, Path file) {
            return errorPage(status, ErrorPage.file(status, file));
        }

        /**
         * {@code error_page CODE ... [=ANSWER] PAGE} or {@code error_page CODE ... [=ANSWER] URL}: {@code page}
         * answers {@code status} ({@link ErrorPage}): a page with a status of its own ({@code error_page 404 =200
         * /index.html}), or a redirect ({@code error_page 503 https://status.example.com/}, 302 as nginx's unless
         * given).
         */
        public Builder errorPage(int status, ErrorPage page) {
            options.errorPages.put(RouteChecks.errorPageStatus(status), Objects.requireNonNull(page, "page"));
            return this;
        }

        /** {@code proxy_set_header NAME VALUE}: VALUE may hold {@code $host}, {@code $remote_addr}, {@code
         * $proxy_add_x_forwarded_for}, {@code $scheme} and other variables; an empty VALUE removes the field.
         * Content-Length and Transfer-Encoding are refused: the proxy writes the request's framing from its body. */
        public Builder setHeader(String name, String value) {
            String canonical = RouteChecks.headerName(name).toLowerCase(Locale.ROOT).equals("host") ? "Host" : name;
            options.setHeaders.removeIf(e -> e.getKey().equalsIgnoreCase(canonical));
            options.setHeaders.add(Map.entry(canonical, ValueTemplate.parse("setHeader " + name, value, false,
                    names)));
            return this;
        }

        /** {@code proxy_http_version 1.1} (the default, as nginx since 1.29.7) or {@code 1.0}. */
        public Builder httpVersion(String version) {
            options.http11 = RouteChecks.http11(version);
            return this;
        }

        /** {@code proxy_socket_keepalive on|off}, default off. */
        public Builder socketKeepalive(boolean on) {
            options.socketKeepalive = on;
            return this;
        }

        /** {@code proxy_bind ADDRESS}: the local address upstream connections come from. */
        public Builder bind(InetAddress address) {
            options.bind = Objects.requireNonNull(address, "bind");
            return this;
        }

        /**
         * nginx's {@code client_max_body_size} for this route alone, in place of the proxy's ({@link
         * ProxyServer.Builder#clientMaxBodySize}, 1 MiB by default): a request whose body is larger is 413, told by
         * its Content-Length before anything is read, or when a chunked one goes beyond it; 0 means no limit. A
         * request {@link Answer#reroute rerouted} here is held to it too, as nginx checks each location it comes to.
         */
        public Builder clientMaxBodySize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("clientMaxBodySize must not be negative: " + bytes);
            }
            options.clientMaxBodySize = bytes;
            return this;
        }

        /**
         * nginx's {@code internal}: only a request rerouted here reaches the route (by an {@link Answer#reroute}, an
         * {@code error_page}, {@code tryFiles}, an {@code index}, or a peer's {@code X-Accel-Redirect}); one that
         * asks for its path itself is 404. Off by default.
         */
        public Builder internal() {
            options.internal = true;
            return this;
        }

        /**
         * nginx's {@code proxy_ignore_headers}: the fields of a peer's response that do not act. By default a peer's
         * {@code X-Accel-Redirect: /protected/a.pdf} (or {@code @NAME}) reroutes the request there as a GET (a
         * HEAD stays one), the response it came with dropped, so that a peer decides and a route of the proxy
         * serves (nginx's "X-Sendfile"; such a route is often {@link #internal}); and {@code X-Accel-Buffering}
         * turns {@link #buffering} on or off for its response. Named here, they are not acted on (nor forwarded).
         * A request with a body is not rerouted (nginx would send it on as a GET): its response goes to the client
         * as it came, the field dropped.
         * nginx's other names ({@code X-Accel-Expires}, {@code X-Accel-Limit-Rate}, {@code X-Accel-Charset}, {@code
         * Expires}, {@code Cache-Control}, {@code Set-Cookie}, {@code Vary}) are taken and change nothing: they
         * concern nginx's cache and rate limits, which Sluice does not have.
         */
        public Builder ignoreHeaders(String... names) {
            options.ignoreHeaders = RouteChecks.ignoreHeaders(names);
            return this;
        }

        /** {@code proxy_ignore_client_abort on|off}, default off. */
        public Builder ignoreClientAbort(boolean ignore) {
            options.ignoreClientAbort = ignore;
            return this;
        }

        /**
         * {@code proxy_redirect default} (on, the default) or {@code off}: a {@code Location} or {@code Refresh}
         * ({@code url=}) field of the route's upstream that starts with the route's {@code proxy_pass} URL gets the
         * client's view of it instead: {@code http://backend/v2/x} becomes {@code /api/x} on route {@code /api/} with
         * {@code passUri("/v2/")}, and {@code http://backend/x} becomes {@code /x} without a passUri, as nginx
         * rewrites them (the upstream, asked with {@code Host: backend}, redirects to its own name). Nothing is
         * rewritten for a passUri with variables, nor when a handler chose another group. On adds the default among
         * the route's {@link #redirectRewrite(String, String) own lines} at its place, as nginx's {@code
         * proxy_redirect default} among others; off drops them all.
         */
        public Builder redirectRewrite(boolean on) {
            if (!on || options.redirects == null) {
                options.redirects = new ArrayList<>();
            }
            if (on && !options.redirects.contains(ProxyRedirect.DEFAULT)) {
                options.redirects.add(ProxyRedirect.DEFAULT);
            }
            return this;
        }

        /**
         * nginx's {@code proxy_redirect REDIRECT REPLACEMENT}: a {@code Location} or {@code Refresh} ({@code url=})
         * URL of the route's upstreams that starts with {@code redirect} gets {@code replacement} in place of that
         * start ({@code redirectRewrite("http://localhost:8000/", "/app/")}); a {@code redirect} of {@code ~REGEX}
         * or {@code ~*REGEX} (caseless) that finds a match replaces the whole URL, its groups as {@code $1} to
         * {@code $9} ({@code redirectRewrite("~^http://[^/]+(/.*)$", "$1")}). Both may hold variables ({@link
         * ValueTemplate}). The lines are tried in the order given, the first that matches rewrites; the first line
         * given replaces the default ({@link #redirectRewrite(boolean) redirectRewrite(true)} keeps it among them).
         */
        public Builder redirectRewrite(String redirect, String replacement) {
            Objects.requireNonNull(redirect, "redirect");
            Objects.requireNonNull(replacement, "replacement");
            if (options.redirects == null) {
                options.redirects = new ArrayList<>();
            }
            options.redirects.add(RouteChecks.redirect(redirect, replacement, names));
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
            options.buffering = on;
            return this;
        }

        /**
         * {@code proxy_request_buffering on|off}, default on. On: the whole request body is read before a peer is
         * chosen (up to {@code clientMaxBodySize}; beyond {@code clientBodyBufferSize} it goes to a temporary file), so
         * a retry can send it again; a chunked body goes as its payload with a {@code Content-Length}, as nginx sends
         * it. Off: the body streams to the peer as it arrives, a chunked one chunked as it came but without its trailer
         * fields, which nginx does not forward either; once a byte of the request reached a peer the request is never
         * retried, as nginx, and a failure of the peer is answered 502 (504 for a timeout) with the client connection
         * closed. With it off, {@code Expect: 100-continue} is answered once a peer is connected, when the body is
         * first needed. As nginx documents, a chunked body is buffered whatever this says when the peer is spoken to in
         * HTTP/1.0 ({@link #httpVersion}), which has no chunked coding.
         */
        public Builder requestBuffering(boolean on) {
            options.requestBuffering = on;
            return this;
        }

        /**
         * {@code proxy_buffer_size}: the buffer a response head is read into, and so the largest head accepted, 1 KiB
         * to 1 MiB; default 4k (one page). What follows the head in the same read stays in it for the body (and, with
         * {@link #buffering} off, the whole body passes through it), as in nginx.
         */
        public Builder bufferSize(int bytes) {
            options.bufferSize = RouteChecks.bufferSize(bytes);
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
            RouteChecks.buffers(count, size);
            options.buffersCount = count;
            options.buffersSize = size;
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
            options.upgradeProtocols = RouteChecks.upgradeProtocols(protocols);
            return this;
        }

        /**
         * {@code limit_req zone=...}: requests through this route count against {@code limit}, a zone that other
         * routes may share. Several limits may be given, as nginx allows several {@code limit_req}: a request waits
         * for the longest delay among them and is rejected when any rejects it (the limits before the rejecting one
         * have counted it, where nginx takes it back). No limit by default.
         */
        public Builder limitRequests(RequestLimit limit) {
            options.requestLimits.add(Objects.requireNonNull(limit, "limitRequests"));
            return this;
        }

        /**
         * {@code limit_conn ZONE N}: requests through this route count as in progress against {@code limit}, a zone
         * that other routes may share, from their head until their exchange ends. No limit by default.
         */
        public Builder limitConnections(ConnectionLimit limit) {
            options.connectionLimits.add(Objects.requireNonNull(limit, "limitConnections"));
            return this;
        }

        /** Checks the route and builds it. */
        public Route build() {
            RouteChecks.whole(location, options, answers);
            return new Route(location, options);
        }
    }
}
