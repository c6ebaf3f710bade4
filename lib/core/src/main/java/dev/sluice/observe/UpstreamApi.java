package dev.sluice.observe;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.ProxyServer;
import dev.sluice.internal.text.FlatJson;
import dev.sluice.internal.text.NginxTime;
import dev.sluice.upstream.Peer;
import dev.sluice.upstream.PeerState;
import dev.sluice.upstream.UpstreamGroup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * NGINX Plus's upstream API with writes ({@code api write=on}), for changing groups at run time: besides what
 * {@link UpstreamStatus} reads, {@code GET PATH/NAME/servers[/ID]} lists server lines, {@code POST
 * PATH/NAME/servers} adds one ({@code {"server": "HOST:PORT", "weight": 2, ...}}, answered 201 with the new server
 * and its id), {@code PATCH PATH/NAME/servers/ID} changes one ({@code {"weight": 3}}, {@code {"down": true}},
 * {@code {"drain": true}}), and {@code DELETE PATH/NAME/servers/ID} removes one (answered with the servers left).
 * Parameters are NGINX Plus's: {@code server}, {@code weight}, {@code max_conns}, {@code max_fails}, {@code
 * fail_timeout} and {@code slow_start} (seconds, or text such as {@code "10s"}), {@code route}, {@code backup},
 * {@code down}, {@code drain}. A bad request is answered 400 in NGINX Plus's error shape, naming the problem.
 *
 * <p>Anyone who reaches it can change where traffic goes: serve it on a loopback address or behind access control.
 * The route must read request bodies for it ({@code Route.Builder.handlerReadsBody}), as {@code --api-listen} does.
 * A server line is added, and a name in it resolved, on a thread of its own, never on an event loop; the answer
 * comes when it is done (within the route's hook timeout).
 */
public final class UpstreamApi {

    /** The most a request body may hold. */
    public static final int BODY_LIMIT = 16 * 1024;

    /** How many additions may wait for the one thread that makes them. */
    private static final int ADDING_QUEUE = 256;

    /**
     * Where servers are added: one daemon thread, made when needed and gone after a minute idle, so that resolving a
     * name never holds up an event loop.
     */
    private static final ThreadPoolExecutor ADDING = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(ADDING_QUEUE), task -> {
                Thread thread = new Thread(task, "sluice-api-add");
                thread.setDaemon(true);
                return thread;
            });

    static {
        ADDING.allowCoreThreadTimeOut(true);
    }

    private final Map<String, UpstreamGroup> groups;
    private final UpstreamStatus status;

    private UpstreamApi(Map<String, UpstreamGroup> groups, UpstreamStatus status) {
        this.groups = groups;
        this.status = status;
    }

    /** The API of {@code groups}, by name (a name given twice keeps the first group). */
    public static UpstreamApi of(List<UpstreamGroup> groups) {
        return new UpstreamApi(UpstreamStatus.byName(groups), UpstreamStatus.of(groups));
    }

    /** The same API, its reads with each group's {@code keepalive} idle count: {@link UpstreamStatus#withPoolsOf}. */
    public UpstreamApi withPoolsOf(ProxyServer server) {
        return new UpstreamApi(groups, status.withPoolsOf(server));
    }

    /** A handler that answers the API's paths; give its route {@code handlerReadsBody(BODY_LIMIT)}. */
    public ProxyHandler handler() {
        ProxyHandler reads = status.handler();
        return new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                Answer servers = servers(request);
                return servers != null ? servers : reads.onRequest(request);
            }
        };
    }

    /** Answers a request under {@code PATH/NAME/servers}; null for any other path. */
    private Answer servers(ProxyRequest request) {
        String path = request.path();
        if (!path.startsWith(UpstreamStatus.PATH + "/")) {
            return null;
        }
        String[] parts = path.substring(UpstreamStatus.PATH.length() + 1).split("/", -1);
        if (parts.length < 2 || !parts[1].equals("servers") || parts.length > 3) {
            return null;
        }
        UpstreamGroup group = groups.get(parts[0]);
        if (group == null) {
            return UpstreamStatus.error(404, "UpstreamNotFound", "upstream not found");
        }
        String method = request.method();
        if (parts.length == 2 || parts[2].isEmpty()) {
            return switch (method) {
                case "GET", "HEAD" -> UpstreamStatus.ok(servers(group));
                case "POST" -> add(group, request);
                default -> UpstreamStatus.error(405, "MethodDisabled", "method not supported");
            };
        }
        PeerState peer = parts[2].matches("[0-9]{1,9}") ? group.peer(Integer.parseInt(parts[2])) : null;
        if (peer == null) {
            return UpstreamStatus.error(404, "UpstreamServerNotFound", "server not found");
        }
        return switch (method) {
            case "GET", "HEAD" -> UpstreamStatus.ok(server(new StringBuilder(), peer).toString());
            case "PATCH" -> change(group, peer, request);
            case "DELETE" -> {
                group.removeServer(peer.id());
                yield UpstreamStatus.ok(servers(group));
            }
            default -> UpstreamStatus.error(405, "MethodDisabled", "method not supported");
        };
    }

    private Answer add(UpstreamGroup group, ProxyRequest request) {
        try {
            Map<String, Object> members = members(request);
            Object server = members.remove("server");
            if (!(server instanceof String)) {
                throw new BadRequest("UpstreamConfFormatError", "\"server\" is required: an address as text");
            }
            if (members.containsKey("drain")) {
                throw new BadRequest("UpstreamConfFormatError", "a new server cannot drain");
            }
            Consumer<Peer.Builder> parameters = parameters(members);
            return Answer.after(CompletableFuture.supplyAsync(() -> add(group, (String) server, parameters), ADDING));
        } catch (BadRequest e) {
            return UpstreamStatus.error(400, e.code, e.getMessage());
        } catch (RejectedExecutionException e) {
            return UpstreamStatus.error(503, "UpstreamBusy", "too many servers being added at once");
        }
    }

    /** Adds a checked server line; off the event loop, since a name may take a while to resolve. */
    private static Answer add(UpstreamGroup group, String server, Consumer<Peer.Builder> parameters) {
        try {
            List<PeerState> added = group.addServer(server, parameters);
            return Answer.builder(201).header("Content-Type", "application/json")
                    .body(server(new StringBuilder(), added.get(0)).toString()).build();
        } catch (IllegalArgumentException e) {
            return UpstreamStatus.error(400, codeOf(e), e.getMessage());
        }
    }

    private Answer change(UpstreamGroup group, PeerState peer, ProxyRequest request) {
        try {
            Map<String, Object> members = members(request);
            if (members.containsKey("server")) {
                throw new BadRequest("UpstreamConfFormatError", "a server's address cannot change; add another");
            }
            Object drain = members.remove("drain");
            if (drain != null && !Boolean.TRUE.equals(drain)) {
                throw new BadRequest("UpstreamConfFormatError", "\"drain\" can only be true");
            }
            if (!members.isEmpty() && group.changeServer(peer.id(), parameters(members)) == null) {
                return UpstreamStatus.error(404, "UpstreamServerNotFound", "server not found");
            }
            if (drain != null) {
                group.drainServer(peer.id());
            }
            return UpstreamStatus.ok(server(new StringBuilder(), peer).toString());
        } catch (BadRequest e) {
            return UpstreamStatus.error(400, e.code, e.getMessage());
        } catch (IllegalArgumentException e) {
            return UpstreamStatus.error(400, codeOf(e), e.getMessage());
        }
    }

    private static Map<String, Object> members(ProxyRequest request) {
        ByteBuffer body = request.body();
        if (body == null) {
            throw new BadRequest("UpstreamConfFormatError", "the route does not read request bodies");
        }
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        try {
            return FlatJson.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("UpstreamConfFormatError", e.getMessage());
        }
    }

    /** The server-line parameters of {@code members}, checked before any is applied. */
    private static Consumer<Peer.Builder> parameters(Map<String, Object> members) {
        Consumer<Peer.Builder> all = b -> { };
        for (Map.Entry<String, Object> member : members.entrySet()) {
            String name = member.getKey();
            Object value = member.getValue();
            Consumer<Peer.Builder> one = switch (name) {
                case "weight" -> { int n = whole(name, value); yield b -> b.weight(n); }
                case "max_conns" -> { int n = whole(name, value); yield b -> b.maxConns(n); }
                case "max_fails" -> { int n = whole(name, value); yield b -> b.maxFails(n); }
                case "fail_timeout" -> { Duration t = time(name, value); yield b -> b.failTimeout(t); }
                case "slow_start" -> { Duration t = time(name, value); yield b -> b.slowStart(t); }
                case "route" -> { String r = text(name, value); yield b -> b.route(r); }
                case "backup" -> { boolean on = flag(name, value); yield b -> b.backup(on); }
                case "down" -> { boolean on = flag(name, value); yield b -> b.down(on); }
                default -> throw new BadRequest("UpstreamConfFormatError", "unknown parameter \"" + name + "\"");
            };
            all = all.andThen(one);
        }
        return all;
    }

    private static int whole(String name, Object value) {
        if (!(value instanceof Double) || (Double) value != Math.rint((Double) value)
                || Math.abs((Double) value) > Integer.MAX_VALUE) {
            throw new BadRequest(badCode(name), "\"" + name + "\" must be a whole number");
        }
        return ((Double) value).intValue();
    }

    private static Duration time(String name, Object value) {
        if (value instanceof Double) {
            return Duration.ofSeconds(whole(name, value));
        }
        Duration time = NginxTime.parse(text(name, value));
        if (time == null) {
            throw new BadRequest("UpstreamConfFormatError", "\"" + name + "\" must be a time such as \"10s\"");
        }
        return time;
    }

    private static String text(String name, Object value) {
        if (!(value instanceof String)) {
            throw new BadRequest("UpstreamConfFormatError", "\"" + name + "\" must be text");
        }
        return (String) value;
    }

    private static boolean flag(String name, Object value) {
        if (!(value instanceof Boolean)) {
            throw new BadRequest("UpstreamConfFormatError", "\"" + name + "\" must be true or false");
        }
        return (Boolean) value;
    }

    private static String badCode(String name) {
        return switch (name) {
            case "weight" -> "UpstreamBadWeight";
            case "max_conns" -> "UpstreamBadMaxConns";
            case "max_fails" -> "UpstreamBadMaxFails";
            default -> "UpstreamConfFormatError";
        };
    }

    private static String codeOf(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        if (message.startsWith("weight")) {
            return "UpstreamBadWeight";
        }
        if (message.startsWith("max_conns") || message.startsWith("maxConns")) {
            return "UpstreamBadMaxConns";
        }
        if (message.startsWith("max_fails") || message.startsWith("maxFails")) {
            return "UpstreamBadMaxFails";
        }
        if (message.startsWith("host not found") || message.contains("address")) {
            return "UpstreamBadAddress";
        }
        return "UpstreamConfFormatError";
    }

    private static String servers(UpstreamGroup group) {
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
    private static StringBuilder server(StringBuilder out, PeerState peer) {
        Peer line = peer.peer();
        out.append("{\"id\":").append(peer.id()).append(",\"server\":");
        UpstreamStatus.string(out, peer.server()).append(",\"weight\":").append(line.weight())
                .append(",\"max_conns\":").append(line.maxConns())
                .append(",\"max_fails\":").append(line.maxFails())
                .append(",\"fail_timeout\":\"").append(line.failTimeout().toSeconds()).append("s\"")
                .append(",\"slow_start\":\"").append(line.slowStart().toSeconds()).append("s\"")
                .append(",\"route\":");
        UpstreamStatus.string(out, line.route()).append(",\"backup\":").append(line.backup())
                .append(",\"down\":").append(peer.isDown());
        if (peer.isDraining()) {
            out.append(",\"drain\":true");
        }
        return out.append('}');
    }

    /** A request the API refuses, with NGINX Plus's error code. */
    private static final class BadRequest extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        final String code;

        BadRequest(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
