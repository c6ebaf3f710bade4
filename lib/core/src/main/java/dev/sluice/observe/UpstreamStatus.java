package dev.sluice.observe;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The live state of upstream groups as JSON in the shape of NGINX Plus's API ({@code GET /api/9/http/upstreams},
 * {@code GET /api/9/http/upstreams/NAME}), so that dashboards made for it read it: per group its {@code peers}
 * with {@code id}, {@code server}, {@code name}, {@code backup}, {@code weight}, {@code state} ({@code up},
 * {@code down}, {@code draining}, {@code unavail}, {@code checking} before a mandatory check first passes,
 * {@code unhealthy}), {@code active}, {@code requests}, {@code
 * responses} ({@code 1xx} to {@code 5xx} and {@code total}: responses the peer gave), {@code sent} and {@code
 * received} (bytes, by attempts that ended; a WebSocket tunnel's are not counted), {@code selected} (when its
 * last attempt started, once one ended), {@code fails} (failed attempts
 * in all), {@code unavail} (times {@code max_fails} made it unavailable) and {@code max_fails}, {@code fail_timeout} (seconds), {@code max_conns}, {@code health_checks}
 * ({@code checks}, {@code fails}, {@code unhealthy}, and {@code last_passed} once a check ran), {@code
 * header_time} and {@code response_time} (moving averages in milliseconds, once a response came), {@code
 * downtime} (milliseconds) and {@code downstart} (while it is down); per group its {@code keepalive} (the idle
 * connections a proxy's pools hold, when the status reads them: {@link #withPoolsOf}), its {@code queue} ({@code
 * size}, {@code max_size}, {@code overflows}) when it has one; and {@code zone}.
 *
 * <p>{@link #json()} for a service's own endpoint; {@link #handler()} answers the API paths on a route, the way
 * {@code --status-listen} serves them.
 */
public final class UpstreamStatus {

    /** NGINX Plus's form of a time: ISO 8601 in UTC with milliseconds. */
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The page NGINX Plus's errors link to. */
    private static final String REFERENCE = "https://nginx.org/en/docs/http/ngx_http_api_module.html";

    /** The API path prefix NGINX Plus serves upstreams under. */
    public static final String PATH = "/api/9/http/upstreams";

    private final Map<String, UpstreamGroup> groups;
    /** The proxy whose idle connections each group's {@code keepalive} counts, or null: no such field. */
    private final ProxyServer pools;

    private UpstreamStatus(Map<String, UpstreamGroup> groups, ProxyServer pools) {
        this.groups = groups;
        this.pools = pools;
    }

    /** The status of {@code groups}, by name (a name given twice keeps the first group). */
    public static UpstreamStatus of(List<UpstreamGroup> groups) {
        return new UpstreamStatus(byName(groups), null);
    }

    /** {@code groups} by name, in order; a name given twice keeps the first group. */
    static Map<String, UpstreamGroup> byName(List<UpstreamGroup> groups) {
        Map<String, UpstreamGroup> byName = new LinkedHashMap<>();
        for (UpstreamGroup group : groups) {
            byName.putIfAbsent(Objects.requireNonNull(group, "group").name(), group);
        }
        return byName;
    }

    /**
     * The same status with each group's {@code keepalive}: the idle connections {@code server}'s keepalive pools
     * hold to its peers ({@link ProxyServer#idleConnections}). Without it the field is left out: idle connections
     * are a proxy's, not a group's.
     */
    public UpstreamStatus withPoolsOf(ProxyServer server) {
        return new UpstreamStatus(groups, Objects.requireNonNull(server, "server"));
    }

    /** Every group: {@code {"NAME": {...}, ...}}. */
    public String json() {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        boolean first = true;
        for (UpstreamGroup group : groups.values()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, group.name()).append(':');
            group(out, group);
        }
        return out.append('}').toString();
    }

    /** One group's object, or null when there is no group of that name. */
    public String json(String name) {
        UpstreamGroup group = groups.get(name);
        return group == null ? null : group(new StringBuilder(128), group).toString();
    }

    /**
     * A handler that answers {@code GET} of {@link #PATH}, {@code PATH/NAME}, {@code PATH/NAME/servers} and {@code
     * PATH/NAME/servers/ID} (each also with a trailing slash) with the JSON; 404 in NGINX Plus's error shape for an
     * unknown path, API version, group or server, 400 for a server id that is no number, and 405 for any other
     * method.
     */
    public ProxyHandler handler() {
        return new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return answer(request);
            }
        };
    }

    /** Answers a read of the API's paths: every group, one, its servers or one of them. */
    Answer answer(ProxyRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return error(405, "MethodDisabled", "method not supported");
        }
        ApiPath path = ApiPath.parse(request.path());
        Answer missing = missing(path);
        if (missing != null) {
            return missing;
        }
        return switch (path.kind()) {
            case GROUPS -> ok(json());
            case GROUP -> ok(group(new StringBuilder(128), group(path)).toString());
            case SERVERS -> ok(servers(group(path)));
            default -> ok(server(new StringBuilder(), peer(path)).toString());
        };
    }

    /**
     * The answer when {@code path} names nothing that exists, in NGINX Plus's words: no such path or version, no
     * such group, a server id that is no number, no such server; null when it names what exists.
     */
    Answer missing(ApiPath path) {
        switch (path.kind()) {
            case NOT_FOUND:
                return error(404, "PathNotFound", "path not found");
            case UNKNOWN_VERSION:
                return error(404, "UnknownVersion", "unknown version");
            case GROUPS:
                return null;
            default:
                break;
        }
        UpstreamGroup group = groups.get(path.group());
        if (group == null) {
            return error(404, "UpstreamNotFound", "upstream not found");
        }
        if (path.kind() != ApiPath.Kind.SERVER) {
            return null;
        }
        if (!path.id().matches("[0-9]{1,9}")) {
            return error(400, "UpstreamBadServerId", "invalid server id");
        }
        return group.peer(Integer.parseInt(path.id())) == null
                ? error(404, "UpstreamServerNotFound", "server not found") : null;
    }

    /** The group {@code path} names; {@link #missing} found it. */
    UpstreamGroup group(ApiPath path) {
        return groups.get(path.group());
    }

    /** The server {@code path} names; {@link #missing} found it. */
    PeerState peer(ApiPath path) {
        return group(path).peer(Integer.parseInt(path.id()));
    }

    static Answer ok(String json) {
        return Answer.builder(200).header("Content-Type", "application/json").body(json).build();
    }

    /** An error in NGINX Plus's shape, with a request id as {@code $request_id} writes one and the reference. */
    static Answer error(int status, String code, String text) {
        StringBuilder out = new StringBuilder(192).append("{\"error\":{\"status\":").append(status).append(",\"text\":");
        string(out, text).append(",\"code\":");
        string(out, code).append("},\"request_id\":\"");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        out.append(HexFormat.of().toHexDigits(random.nextLong())).append(HexFormat.of().toHexDigits(random.nextLong()));
        out.append("\",\"href\":\"").append(REFERENCE).append("\"}");
        return Answer.builder(status).header("Content-Type", "application/json").body(out.toString()).build();
    }

    /** Every server line of {@code group}, as NGINX Plus's {@code GET .../servers} writes them. */
    static String servers(UpstreamGroup group) {
        StringBuilder out = new StringBuilder(128).append('[');
        List<PeerState> peers = group.peers();
        for (int i = 0; i < peers.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            server(out, peers.get(i));
        }
        return out.append(']').toString();
    }

    /** One server object, as NGINX Plus's {@code GET .../servers/ID} writes it. */
    static StringBuilder server(StringBuilder out, PeerState peer) {
        Peer line = peer.peer();
        out.append("{\"id\":").append(peer.id()).append(",\"server\":");
        string(out, peer.server()).append(",\"weight\":").append(line.weight())
                .append(",\"max_conns\":").append(line.maxConns())
                .append(",\"max_fails\":").append(line.maxFails())
                .append(",\"fail_timeout\":\"").append(line.failTimeout().toSeconds()).append("s\"")
                .append(",\"slow_start\":\"").append(line.slowStart().toSeconds()).append("s\"")
                .append(",\"route\":");
        string(out, line.route()).append(",\"backup\":").append(line.backup())
                .append(",\"down\":").append(peer.isDown());
        if (peer.isDraining()) {
            out.append(",\"drain\":true");
        }
        return out.append('}');
    }

    private StringBuilder group(StringBuilder out, UpstreamGroup group) {
        out.append("{\"peers\":[");
        List<PeerState> peers = group.peers();
        for (int i = 0; i < peers.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            peer(out, peers.get(i));
        }
        out.append(']');
        if (pools != null) {
            out.append(",\"keepalive\":").append(pools.idleConnections(group));
        }
        group.queueStatus().ifPresent(queue -> out.append(",\"queue\":{\"size\":").append(queue.size())
                .append(",\"max_size\":").append(queue.maxSize()).append(",\"overflows\":").append(queue.overflows())
                .append('}'));
        out.append(",\"zone\":");
        return string(out, group.name()).append('}');
    }

    private static void peer(StringBuilder out, PeerState peer) {
        out.append("{\"id\":").append(peer.id()).append(",\"server\":");
        string(out, peer.server()).append(",\"name\":");
        string(out, peer.name()).append(",\"backup\":").append(peer.isBackup())
                .append(",\"weight\":").append(peer.peer().weight())
                .append(",\"state\":\"").append(state(peer)).append('"')
                .append(",\"active\":").append(peer.activeConnections())
                .append(",\"requests\":").append(peer.requests());
        long[] responses = peer.responses();
        long total = 0;
        out.append(",\"responses\":{");
        for (int i = 0; i < responses.length; i++) {
            out.append('"').append(i + 1).append("xx\":").append(responses[i]).append(',');
            total += responses[i];
        }
        out.append("\"total\":").append(total).append('}')
                .append(",\"sent\":").append(peer.bytesSent())
                .append(",\"received\":").append(peer.bytesReceived());
        peer.lastSelected().ifPresent(at -> out.append(",\"selected\":\"").append(TIME.format(at)).append('"'));
        out
                .append(",\"fails\":").append(peer.failures())
                .append(",\"unavail\":").append(peer.unavailableTimes())
                .append(",\"max_fails\":").append(peer.peer().maxFails())
                .append(",\"fail_timeout\":").append(peer.peer().failTimeout().toSeconds())
                .append(",\"max_conns\":").append(peer.peer().maxConns());
        peer.averageHeaderTime().ifPresent(t -> out.append(",\"header_time\":").append(t.toMillis()));
        peer.averageResponseTime().ifPresent(t -> out.append(",\"response_time\":").append(t.toMillis()));
        out.append(",\"downtime\":").append(peer.downtime().toMillis());
        peer.downStart().ifPresent(at -> out.append(",\"downstart\":\"").append(TIME.format(at)).append('"'));
        PeerState.HealthChecks checks = peer.healthChecks();
        out.append(",\"health_checks\":{\"checks\":").append(checks.checks()).append(",\"fails\":")
                .append(checks.fails()).append(",\"unhealthy\":").append(checks.unhealthy());
        if (checks.lastPassed() != null) {
            out.append(",\"last_passed\":").append(checks.lastPassed());
        }
        out.append("}}");
    }

    private static String state(PeerState peer) {
        if (peer.isDown()) {
            return "down";
        }
        if (peer.isDraining()) {
            return "draining";
        }
        if (!peer.isHealthy() && peer.healthChecks().lastPassed() == null) {
            return "checking"; // a mandatory check has not passed yet
        }
        if (!peer.unavailableFor().isZero()) {
            return "unavail";
        }
        return peer.isHealthy() ? "up" : "unhealthy";
    }

    static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"');
    }
}
