package dev.sluice.internal.discovery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The DNS wire format (RFC 1035 §4, RFC 2782 for SRV, RFC 3596 for AAAA), as far as a resolver of server names needs
 * it: a query of one question, and the answer records of a response that belong to that question, following the
 * CNAME records the response carries. Compressed names are followed with a bound on the jumps, so a hostile
 * response cannot loop; anything malformed is an {@link IllegalArgumentException}.
 */
public final class DnsMessage {

    public static final int A = 1;
    public static final int CNAME = 5;
    public static final int AAAA = 28;
    public static final int SRV = 33;

    /** Response codes: no error, the server failed, the name does not exist, the server refused. */
    public static final int NOERROR = 0;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;
    public static final int REFUSED = 5;

    private static final int CLASS_IN = 1;
    private static final int FLAG_RESPONSE = 0x8000;
    private static final int FLAG_TRUNCATED = 0x0200;
    private static final int FLAG_RECURSION_DESIRED = 0x0100;
    private static final int MAX_NAME = 255;
    private static final int MAX_LABEL = 63;
    private static final int MAX_JUMPS = 32;

    private final int id;
    private final int rcode;
    private final boolean truncated;
    private final List<DnsRecord> records;

    private DnsMessage(int id, int rcode, boolean truncated, List<DnsRecord> records) {
        this.id = id;
        this.rcode = rcode;
        this.truncated = truncated;
        this.records = records;
    }

    /** A query for {@code name}'s records of {@code type}, recursion desired, with the message id {@code id}. */
    public static byte[] query(int id, String name, int type) {
        ByteBuffer out = ByteBuffer.allocate(12 + MAX_NAME + 2 + 4);
        out.putShort((short) id).putShort((short) FLAG_RECURSION_DESIRED).putShort((short) 1)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0);
        writeName(out, name);
        out.putShort((short) type).putShort((short) CLASS_IN);
        byte[] bytes = new byte[out.position()];
        out.flip().get(bytes);
        return bytes;
    }

    /**
     * Reads a response to the question ({@code name}, {@code type}): its id, response code, whether it was
     * truncated, and the records of {@code type} owned by {@code name} or by a name a CNAME of the response leads
     * to (for SRV, the addresses of the targets the response adds too).
     *
     * @throws IllegalArgumentException when the bytes are not a well-formed DNS response
     */
    public static DnsMessage parse(byte[] bytes, String name, int type) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            int id = in.getShort() & 0xffff;
            int flags = in.getShort() & 0xffff;
            if ((flags & FLAG_RESPONSE) == 0) {
                throw new IllegalArgumentException("not a response");
            }
            int questions = in.getShort() & 0xffff;
            int answers = in.getShort() & 0xffff;
            int authorities = in.getShort() & 0xffff;
            int additionals = in.getShort() & 0xffff;
            for (int i = 0; i < questions; i++) {
                readName(in);
                in.position(in.position() + 4);
            }
            List<DnsRecord> all = new ArrayList<>();
            int count = answers + authorities + additionals;
            for (int i = 0; i < count; i++) {
                DnsRecord record = readRecord(in);
                if (record != null && (i < answers || record.type() == A || record.type() == AAAA)) {
                    all.add(record);
                }
            }
            return new DnsMessage(id, flags & 0xf, (flags & FLAG_TRUNCATED) != 0, belonging(all, lower(name), type));
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a DNS response cut short", e);
        }
    }

    public int id() {
        return id;
    }

    /** The response code: {@link #NOERROR}, {@link #NXDOMAIN}, {@link #SERVFAIL}, ... */
    public int rcode() {
        return rcode;
    }

    /** Whether the server cut the response to fit a datagram: ask again over TCP. */
    public boolean truncated() {
        return truncated;
    }

    /** The records that answer the question, the addresses of SRV targets after them. */
    public List<DnsRecord> records() {
        return records;
    }

    /** The records of {@code type} owned by {@code name} or its aliases, and for SRV its targets' addresses. */
    private static List<DnsRecord> belonging(List<DnsRecord> all, String name, int type) {
        Set<String> owners = new HashSet<>();
        owners.add(name);
        for (boolean grew = true; grew; ) {
            grew = false;
            for (DnsRecord r : all) {
                if (r.type() == CNAME && owners.contains(r.name()) && owners.add(r.target())) {
                    grew = true;
                }
            }
        }
        List<DnsRecord> found = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (DnsRecord r : all) {
            if (r.type() == type && owners.contains(r.name()) && !found.contains(r)) {
                found.add(r);
                if (type == SRV) {
                    targets.add(r.target());
                }
            }
        }
        for (DnsRecord r : all) {
            if ((r.type() == A || r.type() == AAAA) && targets.contains(r.name()) && !found.contains(r)) {
                found.add(r);
            }
        }
        return List.copyOf(found);
    }

    /** One resource record; null for a type or class this reader skips. */
    private static DnsRecord readRecord(ByteBuffer in) {
        String owner = readName(in);
        int type = in.getShort() & 0xffff;
        int recordClass = in.getShort() & 0xffff;
        long ttl = in.getInt() & 0xffffffffL;
        int length = in.getShort() & 0xffff;
        int end = in.position() + length;
        if (end > in.limit()) {
            throw new IllegalArgumentException("a record longer than the response");
        }
        DnsRecord record = null;
        if (recordClass == CLASS_IN) {
            record = switch (type) {
                case A, AAAA -> {
                    if (length != (type == A ? 4 : 16)) {
                        throw new IllegalArgumentException("an address record of " + length + " bytes");
                    }
                    byte[] address = new byte[length];
                    in.get(address);
                    yield new DnsRecord(owner, type, ttl, address(address), 0, 0, 0, null);
                }
                case CNAME -> new DnsRecord(owner, type, ttl, null, 0, 0, 0, readName(in));
                case SRV -> {
                    int priority = in.getShort() & 0xffff;
                    int weight = in.getShort() & 0xffff;
                    int port = in.getShort() & 0xffff;
                    yield new DnsRecord(owner, type, ttl, null, priority, weight, port, readName(in));
                }
                default -> null;
            };
        }
        if (record != null && in.position() != end) {
            throw new IllegalArgumentException("a record whose data does not fill its length");
        }
        in.position(end);
        return record;
    }

    /** A name at the buffer's position, following compression pointers; the position moves past it. */
    static String readName(ByteBuffer in) {
        StringBuilder name = new StringBuilder();
        int position = in.position();
        int resume = -1;
        int jumps = 0;
        for (;;) {
            int length = in.get(position) & 0xff;
            if ((length & 0xc0) == 0xc0) {
                if (++jumps > MAX_JUMPS) {
                    throw new IllegalArgumentException("a name that points in a loop");
                }
                int target = ((length & 0x3f) << 8) | (in.get(position + 1) & 0xff);
                if (resume < 0) {
                    resume = position + 2;
                }
                position = target;
                continue;
            }
            if ((length & 0xc0) != 0) {
                throw new IllegalArgumentException("a label of an unknown kind");
            }
            position++;
            if (length == 0) {
                break;
            }
            if (name.length() > 0) {
                name.append('.');
            }
            for (int i = 0; i < length; i++) {
                name.append((char) (in.get(position + i) & 0xff));
            }
            position += length;
            if (name.length() > MAX_NAME) {
                throw new IllegalArgumentException("a name longer than 255 bytes");
            }
        }
        in.position(resume >= 0 ? resume : position);
        return lower(name.toString());
    }

    private static void writeName(ByteBuffer out, String name) {
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (bare.isEmpty() || bare.length() > MAX_NAME - 2) {
            throw new IllegalArgumentException("not a host name: \"" + name + "\"");
        }
        for (String label : bare.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL || !label.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                throw new IllegalArgumentException("not a host name: \"" + name + "\"");
            }
            out.put((byte) label.length());
            for (int i = 0; i < label.length(); i++) {
                out.put((byte) label.charAt(i));
            }
        }
        out.put((byte) 0);
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an address of " + bytes.length + " bytes", e);
        }
    }

    private static String lower(String name) {
        String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return bare.toLowerCase(Locale.ROOT);
    }
}
