package dev.sluice.internal.discovery;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Asks DNS servers for a name's records, as nginx's {@code resolver ADDRESS ... ; resolver_timeout T;} does: over UDP,
 * again over TCP when the answer was truncated, each server in turn until one answers (a timeout, an I/O error,
 * SERVFAIL or REFUSED moves on to the next; a name that does not exist is an answer). Blocking: run it off the event
 * loops. Thread-safe: each look-up has its own sockets.
 */
public final class DnsClient {

    /** nginx's {@code resolver_timeout} default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** The largest UDP answer taken: RFC 1035's 512 bytes, with room for servers that send more. */
    private static final int MAX_UDP = 4096;

    private final List<InetSocketAddress> servers;
    private final int timeoutMillis;

    /** A client of {@code servers} (port 53 unless given), each tried for at most {@code timeout}. */
    public DnsClient(List<InetSocketAddress> servers, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a resolver needs at least one server address");
        }
        this.servers = List.copyOf(servers);
        long millis = Objects.requireNonNull(timeout, "timeout").toMillis();
        if (millis < 1 || millis > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("resolver timeout must be between 1 ms and 24 days: " + timeout);
        }
        this.timeoutMillis = (int) millis;
    }

    /**
     * The records of {@code type} for {@code name}: an answer from the first server that gives one, NXDOMAIN
     * included (then no records).
     *
     * @throws IOException naming each server's failure when none answered
     */
    public DnsMessage query(String name, int type) throws IOException {
        List<String> reasons = new ArrayList<>();
        List<Exception> causes = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            try {
                DnsMessage answer = ask(server, name, type);
                if (answer.rcode() == DnsMessage.NOERROR || answer.rcode() == DnsMessage.NXDOMAIN) {
                    return answer;
                }
                reasons.add(hostPort(server) + " answered " + rcodeName(answer.rcode()));
            } catch (IOException | IllegalArgumentException e) {
                reasons.add(hostPort(server) + ": " + e.getMessage());
                causes.add(e);
            }
        }
        IOException failed = new IOException("no DNS server gave the " + typeName(type) + " records of " + name
                + " (" + String.join("; ", reasons) + ")");
        causes.forEach(failed::addSuppressed);
        throw failed;
    }

    private DnsMessage ask(InetSocketAddress server, String name, int type) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        byte[] query = DnsMessage.query(id, name, type);
        DnsMessage answer = overUdp(server, query, id, name, type);
        return answer.truncated() ? overTcp(server, query, id, name, type) : answer;
    }

    private DnsMessage overUdp(InetSocketAddress server, byte[] query, int id, String name, int type)
            throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.send(new DatagramPacket(query, query.length));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buffer = new byte[MAX_UDP];
            for (;;) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new SocketTimeoutException("no answer within " + timeoutMillis + " ms");
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("no answer within " + timeoutMillis + " ms");
                }
                byte[] bytes = Arrays.copyOf(packet.getData(), packet.getLength());
                DnsMessage answer = DnsMessage.parse(bytes, name, type);
                if (answer.id() == id) {
                    return answer; // another id: a late answer to an earlier query, or forged; keep waiting
                }
            }
        }
    }

    private DnsMessage overTcp(InetSocketAddress server, byte[] query, int id, String name, int type)
            throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(query.length);
            out.write(query);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] bytes = new byte[in.readUnsignedShort()];
            in.readFully(bytes);
            DnsMessage answer = DnsMessage.parse(bytes, name, type);
            if (answer.id() != id) {
                throw new IOException("an answer over TCP to another query");
            }
            return answer;
        }
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return host + ":" + address.getPort();
    }

    static String typeName(int type) {
        return switch (type) {
            case DnsMessage.A -> "A";
            case DnsMessage.AAAA -> "AAAA";
            case DnsMessage.SRV -> "SRV";
            default -> "type " + type;
        };
    }

    private static String rcodeName(int rcode) {
        return switch (rcode) {
            case DnsMessage.SERVFAIL -> "SERVFAIL";
            case DnsMessage.REFUSED -> "REFUSED";
            default -> "response code " + rcode;
        };
    }
}
