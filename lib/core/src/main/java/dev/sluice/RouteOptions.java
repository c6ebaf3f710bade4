package dev.sluice;

import dev.sluice.internal.files.StaticFiles;
import dev.sluice.internal.files.TryFiles;
import dev.sluice.upstream.UpstreamGroup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * The values of a route's options, each starting at its default: a {@link Route.Builder} sets them, and each
 * {@link Route} holds a {@link #frozen} copy of its own that nothing changes, from which its accessors read.
 */
final class RouteOptions {

    private static final Duration SIXTY_SECONDS = Duration.ofSeconds(60);

    UpstreamGroup upstream;
    UpstreamTls upstreamTls;
    ValueTemplate hashKey = ValueTemplate.parse("hashKey", "$request_uri");
    Duration connectTimeout = SIXTY_SECONDS;
    Duration sendTimeout = SIXTY_SECONDS;
    Duration readTimeout = SIXTY_SECONDS;
    NextUpstream nextUpstream = NextUpstream.defaults();
    boolean interceptErrors;
    Map<Integer, ErrorPage> errorPages = new LinkedHashMap<>();
    List<Map.Entry<String, ValueTemplate>> setHeaders = new ArrayList<>();
    boolean http11 = true;
    boolean socketKeepalive;
    InetAddress bind;
    boolean ignoreClientAbort;
    boolean internal;
    /** The route's own {@code client_max_body_size}, or -1 for the proxy's. */
    long clientMaxBodySize = -1;
    /** nginx's {@code proxy_ignore_headers}, lower case. */
    Set<String> ignoreHeaders = Set.of();
    /** The {@code proxy_redirect} lines given, or null for the default alone. */
    List<ProxyRedirect> redirects;
    boolean buffering = true;
    boolean requestBuffering = true;
    int handlerBodyLimit;
    int bufferSize = 4096;
    int buffersCount = 8;
    int buffersSize = 4096;
    List<String> upgradeProtocols = List.of("websocket");
    List<RequestLimit> requestLimits = new ArrayList<>();
    List<ConnectionLimit> connectionLimits = new ArrayList<>();
    /**
     * The user's handler, or the one answering every request; in a frozen copy of a route with a root, its files,
     * and of one that returns, its answer.
     */
    ProxyHandler handler;
    /** nginx's {@code return}: its status and text, or 0 and null. */
    int returnStatus;
    ValueTemplate returnText;
    MediaTypes mediaTypes = MediaTypes.nginx();
    Path root;
    /** nginx's {@code alias} instead of {@code root}: the location's path, which the alias replaces; else null. */
    String aliasOf;
    /** The index files given, or null for nginx's default; in a frozen copy, the default is filled in. */
    List<String> index;
    /** nginx's {@code try_files} as given, and read; null without. */
    List<String> tryFilesGiven;
    TryFiles tryFiles;
    String passUri;
    ValueTemplate passTemplate;
    Duration hookTimeout = SIXTY_SECONDS;

    /**
     * A copy of these values with unmodifiable collections, nginx's default index where none was given, and for a
     * route with a root the handler that serves its files.
     */
    RouteOptions frozen() {
        RouteOptions copy = new RouteOptions();
        copy.upstream = upstream;
        copy.upstreamTls = upstreamTls;
        copy.hashKey = hashKey;
        copy.connectTimeout = connectTimeout;
        copy.sendTimeout = sendTimeout;
        copy.readTimeout = readTimeout;
        copy.nextUpstream = nextUpstream;
        copy.interceptErrors = interceptErrors;
        copy.errorPages = Collections.unmodifiableMap(new LinkedHashMap<>(errorPages));
        copy.setHeaders = Collections.unmodifiableList(new ArrayList<>(setHeaders));
        copy.http11 = http11;
        copy.socketKeepalive = socketKeepalive;
        copy.bind = bind;
        copy.ignoreClientAbort = ignoreClientAbort;
        copy.internal = internal;
        copy.clientMaxBodySize = clientMaxBodySize;
        copy.ignoreHeaders = ignoreHeaders;
        copy.redirects = redirects == null ? null : List.copyOf(redirects);
        copy.buffering = buffering;
        copy.requestBuffering = requestBuffering;
        copy.handlerBodyLimit = handlerBodyLimit;
        copy.bufferSize = bufferSize;
        copy.buffersCount = buffersCount;
        copy.buffersSize = buffersSize;
        copy.upgradeProtocols = upgradeProtocols;
        copy.requestLimits = List.copyOf(requestLimits);
        copy.connectionLimits = List.copyOf(connectionLimits);
        copy.root = root;
        copy.aliasOf = aliasOf;
        copy.index = index == null ? List.of("index.html") : index;
        copy.tryFilesGiven = tryFilesGiven;
        copy.tryFiles = tryFiles;
        copy.mediaTypes = mediaTypes;
        copy.returnStatus = returnStatus;
        copy.returnText = returnText;
        copy.handler = root != null ? new StaticFiles(root, copy.index, aliasOf, tryFiles, mediaTypes)
                : returnText != null ? ReturnHandler.of(ReturnHandler.returning(returnStatus, returnText, mediaTypes))
                : handler;
        copy.passUri = passUri;
        copy.passTemplate = passTemplate;
        copy.hookTimeout = hookTimeout;
        return copy;
    }
}
