package dev.sluice.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code limit_req_zone} and {@code limit_conn_zone} of a file, and the limits of the locations that name
 * them: one {@code RequestLimit} or {@code ConnectionLimit} local per zone, shared by every route that names it,
 * as locations share a zone in nginx. The zone's key is the client address; the parameters of {@code limit_req}
 * (burst, delay) belong to the zone here, so one zone named with different ones is refused.
 */
final class LimitZones {

    /** Makes the locals of the generated code. */
    interface Locals {
        Expr.Local make(String name, Class<?> type, Expr value, Directive at);
    }

    private final Locals locals;
    private final Map<String, Directive> requestZones = new HashMap<>();
    private final Map<String, Directive> connectionZones = new HashMap<>();
    private final Map<String, Expr.Local> zoneLocals = new HashMap<>();
    private final Map<String, String> zoneUses = new HashMap<>();

    LimitZones(Locals locals) {
        this.locals = locals;
    }

    /**
     * The zone of {@code limit_req zone=NAME [burst=N] [nodelay | delay=N]} with its {@code limit_req_zone} rate
     * and the {@code limit_req_status} in effect (or null), as a local.
     */
    Expr.Local requestZone(Directive limitReq, Directive status) {
        String zone = null;
        StringBuilder words = new StringBuilder();
        for (String arg : limitReq.args()) {
            if (arg.startsWith("zone=")) {
                zone = arg.substring(5);
            } else {
                words.append(' ').append(arg);
            }
        }
        Directive declared = zone == null ? null : requestZones.get(zone);
        if (declared == null) {
            throw limitReq.error(zone == null ? "\"limit_req\" needs zone=NAME" : "zero size shared memory zone \"" + zone + "\"");
        }
        String rate = declared.args().stream().filter(a -> a.startsWith("rate=")).findFirst()
                .orElseThrow(() -> declared.error("\"limit_req_zone\" needs rate=R"));
        String text = rate + words + (status == null ? "" : " status=" + Args.one(status));
        String name = zone;
        return zone("req:" + zone, text, limitReq, () -> LimitLine.requests(name, text));
    }

    /** The zone of {@code limit_conn NAME N} with the {@code limit_conn_status} in effect (or null), as a local. */
    Expr.Local connectionZone(Directive limitConn, Directive status) {
        Args.args(limitConn, 2, 2);
        String zone = limitConn.args().get(0);
        if (!connectionZones.containsKey(zone)) {
            throw limitConn.error("zero size shared memory zone \"" + zone + "\"");
        }
        String text = limitConn.args().get(1) + (status == null ? "" : " status=" + Args.one(status));
        return zone("conn:" + zone, text, limitConn, () -> LimitLine.connections(zone, text));
    }

    private Expr.Local zone(String key, String text, Directive at, Supplier<Expr.Static> code) {
        String earlier = zoneUses.putIfAbsent(key, text);
        if (earlier != null && !earlier.equals(text)) {
            throw Args.unsupported(at, "one zone used with different parameters (\"" + text + "\" and \"" + earlier
                    + "\"): the parameters belong to the zone here");
        }
        return zoneLocals.computeIfAbsent(key, k -> {
            Expr.Static limit = Args.parsed(at, t -> code.get());
            return locals.make(k.substring(k.indexOf(':') + 1) + "-" + (k.startsWith("req") ? "requests" : "connections"),
                    limit.type(), limit, at);
        });
    }

    /** {@code limit_req_zone} or {@code limit_conn_zone KEY zone=NAME:SIZE ...}, keyed by the client address. */
    void declare(Directive d) {
        (d.name().equals("limit_req_zone") ? requestZones : connectionZones).put(zoneName(d), d);
    }

    private static String zoneName(Directive d) {
        Args.args(d, 2, 4);
        String key = d.args().get(0);
        if (!key.equals("$binary_remote_addr") && !key.equals("$remote_addr")) {
            throw Args.unsupported(d, "zones keyed by other than the client address (" + key + ")");
        }
        for (String arg : d.args()) {
            if (arg.startsWith("zone=")) {
                int colon = arg.indexOf(':');
                return arg.substring(5, colon < 0 ? arg.length() : colon);
            }
        }
        throw d.error("\"" + d.name() + "\" needs zone=NAME:SIZE");
    }
}
