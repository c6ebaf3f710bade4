package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopGroupTest {

    private final EventLoopGroup group = EventLoopGroup.builder().threads(2).threadNamePrefix("test-loop-").build();
    private final List<Pipe> pipes = new ArrayList<>();

    @AfterEach
    void tearDown() throws IOException {
        group.close();
        for (Pipe pipe : pipes) {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    /** A drainable standing for the proxy's exchanges on one loop. */
    private static final class Exchanges implements Drainable {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger drainCalls = new AtomicInteger();

        @Override
        public void beginDrain() {
            drainCalls.incrementAndGet();
        }

        @Override
        public int inFlight() {
            return inFlight.get();
        }
    }

    private Pipe registeredPipe(EventLoop loop) throws IOException {
        Pipe pipe = Pipe.open();
        pipes.add(pipe);
        OnLoop.run(loop, () -> loop.register(pipe.source(), SelectionKey.OP_READ, ops -> { }));
        return pipe;
    }

    @Test
    void nextHandsOutTheLoopsRoundRobin() {
        EventLoop a = group.next();
        EventLoop b = group.next();

        assertSame(a, group.next());
        assertSame(b, group.next());
        assertEquals(List.of("test-loop-0", "test-loop-1"), List.of(group.loops().get(0).name(),
                group.loops().get(1).name()));
    }

    @Test
    void gracefulShutdownLetsInFlightWorkFinishThenClosesEveryChannelAndEndsTheThreads() throws Exception {
        EventLoop loop = group.loops().get(0);
        Exchanges exchanges = new Exchanges();
        exchanges.inFlight.set(1);
        loop.addDrainable(exchanges);
        Pipe busy = registeredPipe(loop);
        Pipe idle = registeredPipe(group.loops().get(1));
        // the exchange ends 100 ms into the shutdown
        OnLoop.run(loop, () -> loop.newTimeout(() -> exchanges.inFlight.set(0))
                .schedule(TimeUnit.MILLISECONDS.toNanos(100)));

        long start = System.nanoTime();
        boolean clean = group.shutdownGracefully(Duration.ofSeconds(5));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertTrue(clean);
        assertTrue(tookMillis >= 90 && tookMillis < 3000, "took " + tookMillis + " ms");
        assertEquals(1, exchanges.drainCalls.get());
        assertFalse(busy.source().isOpen());
        assertFalse(idle.source().isOpen());
        assertTrue(group.isTerminated());
    }

    @Test
    void gracefulShutdownIsCutShortAtTheDeadline() throws Exception {
        EventLoop loop = group.loops().get(1);
        Exchanges stuck = new Exchanges();
        stuck.inFlight.set(3);
        loop.addDrainable(stuck);
        AtomicInteger toldClosed = new AtomicInteger();
        Pipe pipe = Pipe.open();
        pipes.add(pipe);
        OnLoop.run(loop, () -> loop.register(pipe.source(), SelectionKey.OP_READ, new IoHandler() {
            @Override
            public void onReady(int readyOps) {
            }

            @Override
            public void onClosedByLoop(Throwable cause) {
                toldClosed.incrementAndGet();
            }
        }));

        long start = System.nanoTime();
        boolean clean = group.shutdownGracefully(Duration.ofMillis(150));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertFalse(clean);
        assertTrue(tookMillis >= 140 && tookMillis < 3000, "took " + tookMillis + " ms");
        assertFalse(pipe.source().isOpen());
        assertEquals(1, toldClosed.get());
        assertTrue(group.isTerminated());
    }

    @Test
    void shutdownStopsAcceptingFirst() throws Exception {
        Acceptor acceptor = group.bind(Clients.loopback(0), Echo.acceptor());
        InetSocketAddress address = (InetSocketAddress) acceptor.localAddress();
        try (Socket client = Clients.connect(address)) {
            Clients.roundTrip(client, "before");
        }

        group.shutdownGracefully(Duration.ofSeconds(1));

        assertThrows(ConnectException.class, () -> Clients.connect(address).close());
    }

    @Test
    void closeStopsAtOnceAndLaterTasksAreRejected() throws Exception {
        EventLoop loop = group.loops().get(0);
        Exchanges forever = new Exchanges();
        forever.inFlight.set(1);
        loop.addDrainable(forever);
        Pipe pipe = registeredPipe(loop);

        long start = System.nanoTime();
        group.close();

        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        assertFalse(pipe.source().isOpen());
        assertTrue(group.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }));
        group.close(); // idempotent
    }

    @Test
    void waitingForTheShutdownOnALoopThreadIsRefused() {
        EventLoop loop = group.loops().get(0);

        assertThrows(IllegalStateException.class, () -> OnLoop.run(loop, group::close));
    }
}
