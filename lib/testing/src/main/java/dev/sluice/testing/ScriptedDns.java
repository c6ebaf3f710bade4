package dev.sluice.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on loopback for tests, UDP and TCP on one port, answering from a table the test changes while the
 * proxy runs: A and AAAA records ({@link #address}), SRV records ({@link #srv}, with the targets' addresses in the
 * additional section when the table has them) and aliases ({@link #cname}), each with its TTL; and faults for a name:
 * a response code such as SERVFAIL ({@link #answerCode}), no answer at all ({@link #silent}), or over UDP a
 * truncated answer that sends the client to TCP ({@link #truncateOverUdp}). A name it has nothing for is NXDOMAIN.
 * It speaks the wire format of RFC 1035 itself, compressing each record's owner name to the question's when they are
 * the same, as real servers do.
 *
 * <pre>{@code
 * try (ScriptedDns dns = ScriptedDns.start()) {
 *     dns.address("api.test", 5, "127.0.0.1");
 *     // give the proxy dns.address() as its resolver ...
 * }
 * }</pre>
 */
public final class ScriptedDns implements AutoCloseable {

    /** Record types this server answers. */
    private static final int A = 1;
    private static final int CNAME = 5;
    private static final int AAAA = 28;
    private static final int SRV = 33;

    private static final int SERVFAIL = 2;
    private static final int NXDOMAIN = 3;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<String, List<Entry>> table = new ConcurrentHashMap<>();
    private final Map<String, Integer> codes = new ConcurrentHashMap<>();
    private final Map<String, Boolean> silent = new ConcurrentHashMap<>();
    private final Map<String, Boolean> truncated = new ConcurrentHashMap<>();
    private final AtomicInteger udpQueries = new AtomicInteger();
    private final AtomicInteger tcpQueries = new AtomicInteger();
    private volatile boolean closed;

    private record Entry(int type, long ttl, byte[] data, String target) {
    }

    private ScriptedDns(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        Thread u = new Thread(this::serveUdp, "scripted-dns-udp");
        Thread t = new Thread(this::serveTcp, "scripted-dns-tcp");
        u.setDaemon(true);
        t.setDaemon(true);
        u.start();
        t.start();
    }

    /** Starts a server on 127.0.0.1, on a port free for both UDP and TCP. */
    public static ScriptedDns start() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; ; attempt++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                return new ScriptedDns(udp, new ServerSocket(udp.getLocalPort(), 16, loopback));
            } catch (IOException taken) {
                udp.close();
                if (attempt == 20) {
                    throw taken;
                }
            }
        }
    }

    /** Where the server listens, UDP and TCP. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    /** Sets {@code name}'s A and AAAA records to {@code addresses} (IPv4 or IPv6 literals), each with {@code ttl}. */
    public ScriptedDns address(String name, long ttl, String... addresses) throws IOException {
        List<Entry> entries = new ArrayList<>(others(name, A, AAAA));
        for (String literal : addresses) {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            entries.add(new Entry(bytes.length == 4 ? A : AAAA, ttl, bytes, null));
        }
        table.put(key(name), List.copyOf(entries));
        return this;
    }

    /** Adds an SRV record for {@code name}: {@code target}:{@code port} with its priority and weight. */
    public ScriptedDns srv(String name, long ttl, int priority, int weight, int port, String target) {
        ByteBuffer data = ByteBuffer.allocate(6).putShort((short) priority).putShort((short) weight)
                .putShort((short) port);
        List<Entry> entries = new ArrayList<>(table.getOrDefault(key(name), List.of()));
        entries.add(new Entry(SRV, ttl, data.array(), key(target)));
        table.put(key(name), List.copyOf(entries));
        return this;
    }

    /** Makes {@code name} an alias of {@code target}. */
    public ScriptedDns cname(String name, long ttl, String target) {
        table.put(key(name), List.of(new Entry(CNAME, ttl, new byte[0], key(target))));
        return this;
    }

    /** Forgets every record of {@code name}: it becomes NXDOMAIN. */
    public ScriptedDns remove(String name) {
        table.remove(key(name));
        return this;
    }

    /** Answers every query for {@code name} with response code {@code rcode} (2 SERVFAIL, 5 REFUSED); 0 clears. */
    public ScriptedDns answerCode(String name, int rcode) {
        if (rcode == 0) {
            codes.remove(key(name));
        } else {
            codes.put(key(name), rcode);
        }
        return this;
    }

    /** Answers queries for {@code name}'s records of {@code type} (1 A, 28 AAAA, 33 SRV) with {@code rcode}; 0 clears. */
    public ScriptedDns answerCode(String name, int type, int rcode) {
        return answerCode(name + "/" + type, rcode);
    }

    /** Whether queries for {@code name} get no answer at all (the client times out). */
    public ScriptedDns silent(String name, boolean on) {
        set(silent, name, on);
        return this;
    }

    /** Whether a UDP query for {@code name} gets a truncated answer with no records, sending the client to TCP. */
    public ScriptedDns truncateOverUdp(String name, boolean on) {
        set(truncated, name, on);
        return this;
    }

    /** Queries received over UDP so far. */
    public int udpQueries() {
        return udpQueries.get();
    }

    /** Queries received over TCP so far. */
    public int tcpQueries() {
        return tcpQueries.get();
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing a listener only fails if it is closed already
        }
    }

    // ------------------------------------------------------------------------------------------------ serving

    private void serveUdp() {
        byte[] buffer = new byte[512];
        while (!closed) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                udpQueries.incrementAndGet();
                byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()), true);
                if (answer != null) {
                    udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
                }
            } catch (SocketException e) {
                return; // closed
            } catch (IOException | RuntimeException e) {
                // a malformed query or a failed send: drop it, as a server does
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try (Socket socket = tcp.accept()) {
                socket.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                tcpQueries.incrementAndGet();
                byte[] answer = answer(ByteBuffer.wrap(query), false);
                if (answer != null) {
                    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                    out.writeShort(answer.length);
                    out.write(answer);
                    out.flush();
                }
            } catch (SocketException e) {
                if (closed) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // a client that went away or sent garbage: next connection
            }
        }
    }

    /** The response to a query, or null to stay silent. */
    private byte[] answer(ByteBuffer query, boolean overUdp) {
        int id = query.getShort() & 0xffff;
        int flags = query.getShort() & 0xffff;
        query.position(12);
        int questionStart = query.position();
        String name = readName(query);
        int type = query.getShort() & 0xffff;
        query.getShort(); // class
        int questionEnd = query.position();
        if (silent.getOrDefault(name, false)) {
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate(4096);
        boolean truncate = overUdp && truncated.getOrDefault(name, false);
        List<byte[]> answers = new ArrayList<>();
        List<byte[]> additional = new ArrayList<>();
        int rcode = codes.getOrDefault(name + "/" + type, codes.getOrDefault(name, 0));
        if (rcode == 0 && !truncate) {
            rcode = collect(name, name, type, answers, additional) ? 0 : NXDOMAIN;
        }
        out.putShort((short) id).putShort((short) (0x8080 | (flags & 0x0100) | (truncate ? 0x0200 : 0) | rcode))
                .putShort((short) 1).putShort((short) answers.size()).putShort((short) 0)
                .putShort((short) additional.size());
        out.put(query.array(), query.arrayOffset() + questionStart, questionEnd - questionStart);
        answers.forEach(out::put);
        additional.forEach(out::put);
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    /**
     * Adds the records answering ({@code name}, {@code type}) to a response to {@code question}; false when the name
     * has no records at all.
     */
    private boolean collect(String question, String name, int type, List<byte[]> answers, List<byte[]> additional) {
        List<Entry> entries = table.get(name);
        if (entries == null) {
            return false;
        }
        for (Entry e : entries) {
            if (e.type == CNAME) {
                answers.add(record(question, name, e, nameBytes(e.target)));
                collect(question, e.target, type, answers, additional);
            } else if (e.type == type) {
                byte[] data = e.data;
                if (e.type == SRV) {
                    data = concat(e.data, nameBytes(e.target));
                    for (Entry glue : table.getOrDefault(e.target, List.of())) {
                        if (glue.type == A || glue.type == AAAA) {
                            additional.add(record(question, e.target, glue, glue.data));
                        }
                    }
                }
                answers.add(record(question, name, e, data));
            }
        }
        return true;
    }

    /** One record; an owner that is the question's name points to it (the question starts at byte 12). */
    private static byte[] record(String question, String owner, Entry e, byte[] data) {
        byte[] ownerBytes = owner.equals(question) ? new byte[] {(byte) 0xc0, 12} : nameBytes(owner);
        ByteBuffer r = ByteBuffer.allocate(ownerBytes.length + 10 + data.length);
        r.put(ownerBytes).putShort((short) e.type).putShort((short) 1).putInt((int) e.ttl)
                .putShort((short) data.length).put(data);
        return r.array();
    }

    private static byte[] nameBytes(String name) {
        ByteBuffer out = ByteBuffer.allocate(name.length() + 2);
        for (String label : name.split("\\.")) {
            out.put((byte) label.length());
            for (int i = 0; i < label.length(); i++) {
                out.put((byte) label.charAt(i));
            }
        }
        out.put((byte) 0);
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    private static String readName(ByteBuffer in) {
        StringBuilder name = new StringBuilder();
        for (int length = in.get() & 0xff; length != 0; length = in.get() & 0xff) {
            if (name.length() > 0) {
                name.append('.');
            }
            for (int i = 0; i < length; i++) {
                name.append((char) (in.get() & 0xff));
            }
        }
        return key(name.toString());
    }

    private List<Entry> others(String name, int... types) {
        List<Entry> kept = new ArrayList<>();
        for (Entry e : table.getOrDefault(key(name), List.of())) {
            boolean listed = false;
            for (int t : types) {
                listed |= e.type == t;
            }
            if (!listed) {
                kept.add(e);
            }
        }
        return kept;
    }

    private static void set(Map<String, Boolean> flags, String name, boolean on) {
        if (on) {
            flags.put(key(name), true);
        } else {
            flags.remove(key(name));
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static String key(String name) {
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return bare.toLowerCase(Locale.ROOT);
    }
}
