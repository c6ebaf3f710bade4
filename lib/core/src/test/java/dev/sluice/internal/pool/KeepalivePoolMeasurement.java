package dev.sluice.internal.pool;

import dev.sluice.internal.net.Connects;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.net.OnLoop;
import dev.sluice.internal.net.Wire;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Not a test: the time of one {@code acquire} + {@code release} pair on a pool of 32 idle connections to 4 peers,
 * driven in batches inside a task on the loop, as a JMH benchmark would. Run:
 * <pre>
 * mvn -q -pl lib/core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.sluice.internal.pool.KeepalivePoolMeasurement
 * </pre>
 */
public final class KeepalivePoolMeasurement {

    private static final int PEERS = 4;
    private static final int PER_PEER = 8;
    private static final int PAIRS = 10_000_000;

    private KeepalivePoolMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<SocketChannel> accepted = new ArrayList<>();
        try (EventLoopGroup group = EventLoopGroup.builder().threads(1).build()) {
            EventLoop loop = group.loops().get(0);
            KeepalivePool pool = new KeepalivePool(loop, new PeerLimitsRegistry(
                    KeepaliveSettings.builder().maxRequests(Integer.MAX_VALUE).build()));
            InetSocketAddress[] peers = new InetSocketAddress[PEERS];
            for (int p = 0; p < PEERS; p++) {
                ServerSocketChannel server = ServerSocketChannel.open();
                servers.add(server);
                server.bind(new InetSocketAddress("127.0.0.1", 0));
                peers[p] = (InetSocketAddress) server.getLocalAddress();
                for (int k = 0; k < PER_PEER; k++) {
                    SelectionKey key = Connects.open(loop, peers[p]);
                    accepted.add(server.accept());
                    InetSocketAddress peer = peers[p];
                    OnLoop.run(loop, () -> pool.release(pool.register(peer, key, Wire.plain((SocketChannel) key.channel()), 0)));
                }
            }
            for (int round = 0; round < 8; round++) {
                long nanos = OnLoop.call(loop, () -> {
                    long start = System.nanoTime();
                    for (int i = 0; i < PAIRS; i++) {
                        pool.release(pool.acquire(peers[i & (PEERS - 1)]));
                    }
                    return System.nanoTime() - start;
                });
                System.out.printf("round %d: %.1f ns per acquire+release%n", round, nanos / (double) PAIRS);
            }
        } finally {
            for (SocketChannel c : accepted) {
                c.close();
            }
            for (ServerSocketChannel s : servers) {
                s.close();
            }
        }
    }
}
