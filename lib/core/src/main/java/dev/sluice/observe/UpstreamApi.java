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
 * {@link UpstreamStatus} reads (server lines included), {@code POST PATH/NAME/servers} adds one ({@code {"server":
 * "HOST:PORT", "weight": 2, ...}}, answered 201 with the new server and its id), {@code PATCH PATH/NAME/servers/ID}
 * changes one ({@code {"weight": 3}}, {@code {"down": true}}, {@code {"drain": true}}), and {@code DELETE
 * PATH/NAME/servers/ID} removes one (answered with the servers left). Parameters are NGINX Plus's: {@code server},
 * {@code weight}, {@code max_conns}, {@code max_fails}, {@code fail_timeout} and {@code slow_start} (seconds, or
 * text such as {@code "10s"}), {@code route}, {@code backup} (when adding: it cannot change), {@code down}, {@code
 * drain}. A bad request is answered in NGINX Plus's error shape with its code, naming the problem: 400, or 415
 * ({@code JsonError}) for a body that is no JSON object. {@code DELETE PATH/NAME} sets the group's statistics back
 * to none ({@link UpstreamGroup#resetStatistics}), answered 204.
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

    /** The builder's name of each parameter, then the API's. */
    private static final String[][] PARAMETER_NAMES = {{"weight", "weight"}, {"maxConns", "max_conns"},
        {"maxFails", "max_fails"}, {"failTimeout", "fail_timeout"}, {"slowStart", "slow_start"}, {"route", "route"},
        {"backup", "backup"}};

    private final UpstreamStatus status;

    private UpstreamApi(UpstreamStatus status) {
        this.status = status;
    }

    /** The API of {@code groups}, by name (a name given twice keeps the first group). */
    public static UpstreamApi of(List<UpstreamGroup> groups) {
        return new UpstreamApi(UpstreamStatus.of(groups));
    }

    /** The same API, its reads with each group's {@code keepalive} idle count: {@link UpstreamStatus#withPoolsOf}. */
    public UpstreamApi withPoolsOf(ProxyServer server) {
        return new UpstreamApi(status.withPoolsOf(server));
    }

    /** A handler that answers the API's paths; give its route {@code handlerReadsBody(BODY_LIMIT)}. */
    public ProxyHandler handler() {
        return new ProxyHandler() {
            @Override
            public Answer onRequest(ProxyRequest request) {
                return answer(request);
            }
        };
    }

    /**
     * Makes a change a write names (POST of servers, PATCH or DELETE of one, DELETE of a group's statistics); leaves
     * every other request to reads.
     */
    private Answer answer(ProxyRequest request) {
        ApiPath path = ApiPath.parse(request.path());
        String method = request.method();
        boolean write = path.kind() == ApiPath.Kind.SERVERS && method.equals("POST")
                || path.kind() == ApiPath.Kind.SERVER && (method.equals("PATCH") || method.equals("DELETE"))
                || path.kind() == ApiPath.Kind.GROUP && method.equals("DELETE");
        if (!write) {
            return status.answer(request);
        }
        Answer missing = status.missing(path);
        if (missing != null) {
            return missing;
        }
        UpstreamGroup group = status.group(path);
        if (path.kind() == ApiPath.Kind.GROUP) {
            group.resetStatistics();
            return Answer.builder(204).build();
        }
        return switch (method) {
            case "POST" -> add(group, request);
            case "PATCH" -> change(group, status.peer(path), request);
            default -> {
                group.removeServer(status.peer(path).id());
                yield UpstreamStatus.ok(UpstreamStatus.servers(group));
            }
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
            return UpstreamStatus.error(e.status, e.code, e.getMessage());
        } catch (RejectedExecutionException e) {
            return UpstreamStatus.error(503, "UpstreamBusy", "too many servers being added at once");
        }
    }

    /** Adds a checked server line; off the event loop, since a name may take a while to resolve. */
    private static Answer add(UpstreamGroup group, String server, Consumer<Peer.Builder> parameters) {
        try {
            List<PeerState> added = group.addServer(server, parameters);
            return Answer.builder(201).header("Content-Type", "application/json")
                    .body(UpstreamStatus.server(new StringBuilder(), added.get(0)).toString()).build();
        } catch (IllegalArgumentException e) {
            return refused(e);
        }
    }

    private Answer change(UpstreamGroup group, PeerState peer, ProxyRequest request) {
        try {
            Map<String, Object> members = members(request);
            if (members.containsKey("server")) {
                throw new BadRequest("UpstreamServerImmutable", "a server's address cannot change; add another");
            }
            if (members.containsKey("backup")) {
                throw new BadRequest("UpstreamConfFormatError", "whether a server is a backup cannot change");
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
            return UpstreamStatus.ok(UpstreamStatus.server(new StringBuilder(), peer).toString());
        } catch (BadRequest e) {
            return UpstreamStatus.error(e.status, e.code, e.getMessage());
        } catch (IllegalArgumentException e) {
            return refused(e);
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
            throw new BadRequest(415, "JsonError", e.getMessage());
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
        Duration time = value instanceof Double ? Duration.ofSeconds(whole(name, value))
                : value instanceof String ? NginxTime.parse((String) value) : null;
        if (time == null || time.isNegative()) {
            throw new BadRequest(badCode(name), "\"" + name + "\" must be a time such as 10 or \"10s\"");
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
            case "fail_timeout" -> "UpstreamBadFailTimeout";
            case "slow_start" -> "UpstreamBadSlowStart";
            case "route" -> "UpstreamBadRoute";
            default -> "UpstreamConfFormatError";
        };
    }

    /**
     * A server line the group refused, answered 400 with NGINX Plus's code for the parameter at fault and its
     * message in the API's names ({@code max_conns} where the builder says {@code maxConns}).
     */
    private static Answer refused(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        for (String[] names : PARAMETER_NAMES) {
            if (message.startsWith(names[0] + " ")) {
                String code = message.contains("not supported") ? "UpstreamConfFormatError" : badCode(names[1]);
                return UpstreamStatus.error(400, code, names[1] + message.substring(names[0].length()));
            }
        }
        boolean address = message.startsWith("host not found") || message.contains("address");
        return UpstreamStatus.error(400, address ? "UpstreamBadAddress" : "UpstreamConfFormatError", message);
    }

    /** A request the API refuses, with NGINX Plus's error code. */
    private static final class BadRequest extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        final int status;
        final String code;

        BadRequest(String code, String message) {
            this(400, code, message);
        }

        BadRequest(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }
}
