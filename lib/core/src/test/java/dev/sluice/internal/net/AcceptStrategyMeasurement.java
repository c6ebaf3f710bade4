package dev.sluice.internal.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Not a test: the measurement behind the {@link Acceptor}'s design, one listening socket handing off to every loop
 * against one {@code SO_REUSEPORT} socket per loop, under a storm of loopback connects that close at once. Run:
 * <pre>
 * mvn -q -pl lib/core test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.sluice.internal.net.AcceptStrategyMeasurement
 * </pre>
 */
public final class AcceptStrategyMeasurement {

    private static final int LOOPS = 2;
    private static final int CLIENTS = 2;
    private static final long SECONDS = 2;

    private AcceptStrategyMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        for (int round = 0; round < 4; round++) { // the first round warms the JIT
            measure("one acceptor, hand-off", false);
            measure("SO_REUSEPORT per loop ", true);
        }
    }

    private static void measure(String name, boolean reusePort) throws Exception {
        AtomicLongArray perLoop = new AtomicLongArray(LOOPS);
        List<ServerSocketChannel> listeners = new ArrayList<>();
        try (EventLoopGroup group = EventLoopGroup.builder().threads(LOOPS).build()) {
            AcceptHandler count = (loop, channel) -> {
                perLoop.incrementAndGet(group.loops().indexOf(loop));
                channel.close();
            };
            SocketAddress address = reusePort ? bindReusePort(group, count, listeners)
                    : group.bind(new InetSocketAddress("127.0.0.1", 0), count).localAddress();
            long connections = storm(address);
            StringBuilder spread = new StringBuilder();
            for (int i = 0; i < LOOPS; i++) {
                spread.append(i == 0 ? "" : " / ").append(perLoop.get(i));
            }
            System.out.printf("%s: %6d connections/s, accepted per loop %s%n", name, connections / SECONDS, spread);
        } finally {
            for (ServerSocketChannel listener : listeners) {
                listener.close();
            }
        }
    }

    private static SocketAddress bindReusePort(EventLoopGroup group, AcceptHandler handler,
            List<ServerSocketChannel> listeners) throws IOException {
        int port = 0;
        for (EventLoop loop : group.loops()) {
            ServerSocketChannel listener = ServerSocketChannel.open();
            listeners.add(listener);
            listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            listener.bind(new InetSocketAddress("127.0.0.1", port), EventLoopGroup.DEFAULT_BACKLOG);
            port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            OnLoop.run(loop, () -> loop.register(listener, SelectionKey.OP_ACCEPT, ops -> {
                for (int i = 0; i < 64; i++) {
                    SocketChannel channel = listener.accept();
                    if (channel == null) {
                        return;
                    }
                    handler.onAccepted(loop, channel);
                }
            }));
        }
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static long storm(SocketAddress address) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        AtomicLong made = new AtomicLong();
        Thread[] clients = new Thread[CLIENTS];
        for (int t = 0; t < clients.length; t++) {
            clients[t] = new Thread(() -> {
                while (System.nanoTime() - end < 0) {
                    try (Socket socket = new Socket()) {
                        socket.setSoLinger(true, 0); // no TIME_WAIT pile-up on the client side
                        socket.connect(address, 1000);
                        made.incrementAndGet();
                    } catch (IOException e) {
                        // counted as not made
                    }
                }
            });
            clients[t].start();
        }
        for (Thread client : clients) {
            client.join();
        }
        Thread.sleep(100);
        return made.get();
    }
}
