package dev.sluice.internal.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.internal.net.Allocations;
import dev.sluice.internal.net.Connects;
import dev.sluice.internal.net.Drainable;
import dev.sluice.internal.net.EventLoop;
import dev.sluice.internal.net.EventLoopGroup;
import dev.sluice.internal.net.IoHandler;
import dev.sluice.internal.net.ManualClock;
import dev.sluice.internal.net.OnLoop;
import dev.sluice.internal.net.Wire;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeepalivePoolTest {

    private final ManualClock clock = new ManualClock();
    private final List<Upstream> upstreams = new ArrayList<>();
    private final Map<PooledConnection, Socket> serverSide = new IdentityHashMap<>();
    private EventLoopGroup group;

    @AfterEach
    void tearDown() throws Exception {
        if (group != null) {
            group.close();
        }
        for (Upstream u : upstreams) {
            u.close();
        }
    }

    private KeepalivePool pool(KeepaliveSettings settings) {
        return pools(new PeerLimitsRegistry(settings), 1).get(0);
    }

    /** One pool per loop of a fresh group, all sharing {@code registry}. */
    private List<KeepalivePool> pools(PeerLimitsRegistry registry, int loops) {
        group = EventLoopGroup.builder().threads(loops).clock(clock).build();
        List<KeepalivePool> pools = new ArrayList<>();
        for (EventLoop l : group.loops()) {
            pools.add(new KeepalivePool(l, registry));
        }
        return pools;
    }

    private Upstream upstream() throws Exception {
        Upstream u = new Upstream();
        upstreams.add(u);
        return u;
    }

    /** A fresh connection to {@code u}, registered with {@code pool}: in use, carrying its first request. */
    private PooledConnection connect(KeepalivePool pool, Upstream u) throws Exception {
        return connect(pool, u, 0);
    }

    /** {@link #connect(KeepalivePool, Upstream)}, the connect reported as having taken {@code connectNanos}. */
    private PooledConnection connect(KeepalivePool pool, Upstream u, long connectNanos) throws Exception {
        SelectionKey key = Connects.open(pool.loop(), u.address());
        Socket server = u.next();
        PooledConnection c = OnLoop.call(pool.loop(), () -> pool.register(u.address(), key, Wire.plain((SocketChannel) key.channel()), connectNanos));
        serverSide.put(c, server);
        return c;
    }

    private static boolean release(KeepalivePool pool, PooledConnection c) {
        return OnLoop.call(pool.loop(), () -> pool.release(c));
    }

    private static PooledConnection acquire(KeepalivePool pool, Upstream u) {
        return OnLoop.call(pool.loop(), () -> pool.acquire(u.address()));
    }

    /** Moves the loops' clock forward and lets every loop run the timers now due. */
    private void advance(Duration d) {
        clock.advance(d);
        for (EventLoop l : group.loops()) {
            OnLoop.nextIteration(l);
        }
    }

    private boolean peerSawClose(PooledConnection c) throws Exception {
        return Upstream.sawClose(serverSide.get(c));
    }

    // ------------------------------------------------------------------------------------------- nginx semantics

    @Test
    void acquireReturnsTheMostRecentlyReleasedConnectionToThatPeer() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection first = connect(pool, a);
        PooledConnection second = connect(pool, a);
        release(pool, first);
        release(pool, second);

        assertSame(second, acquire(pool, a));
        assertSame(first, acquire(pool, a));
        assertNull(acquire(pool, a));
        assertEquals(2, pool.hits());
        assertEquals(1, pool.misses());
        assertEquals(2, second.requests());
        assertTrue(second.isReused());
    }

    @Test
    void acquireNeverReturnsAConnectionToAnotherPeer() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        Upstream b = upstream();
        release(pool, connect(pool, a));

        assertNull(acquire(pool, b));
        assertEquals(1, pool.idleCount());
        assertEquals(1, pool.misses());
    }

    @Test
    void beyondKeepaliveIdleConnectionsTheLeastRecentlyUsedIsClosedWhateverItsPeer() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(2).build());
        Upstream a = upstream();
        Upstream b = upstream();
        PooledConnection a1 = connect(pool, a);
        PooledConnection b1 = connect(pool, b);
        PooledConnection a2 = connect(pool, a);
        release(pool, a1);
        release(pool, b1);
        release(pool, a2);

        assertTrue(peerSawClose(a1));
        assertFalse(a1.isOpen());
        assertEquals(1, pool.evictions());
        assertEquals(2, pool.idleCount());
        assertSame(a2, acquire(pool, a));
        assertSame(b1, acquire(pool, b));
    }

    @Test
    void anAdaptivePoolKeepsAsManyIdleAsWereInUseAtOnce() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(2).adaptive(true).build());
        Upstream a = upstream();
        List<PooledConnection> busy = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            busy.add(connect(pool, a));
        }
        for (PooledConnection c : busy) {
            release(pool, c);
        }

        assertEquals(5, pool.idleCount(), "five were in use at once, so five stay idle");
        assertEquals(0, pool.evictions());
        assertTrue(busy.stream().allMatch(PooledConnection::isOpen));
    }

    @Test
    void anAdaptivePoolShrinksToWhatTheLoadNeedsOnceTwoWindowsHavePassed() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(1).adaptive(true).build());
        Upstream a = upstream();
        List<PooledConnection> busy = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            busy.add(connect(pool, a));
        }
        for (PooledConnection c : busy) {
            release(pool, c);
        }
        assertEquals(4, pool.idleCount());

        for (int window = 0; window < 2; window++) {
            advance(Duration.ofSeconds(InUse.ADAPTIVE_WINDOW_SECONDS));
            PooledConnection one = acquire(pool, a);
            release(pool, one);
        }
        OnLoop.nextIteration(pool.loop());

        assertEquals(1, pool.idleCount(), "only one was in use at once for two windows");
        assertEquals(3, pool.evictions());
    }

    @Test
    void anAdaptivePoolNeverKeepsFewerThanItsFloor() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(3).adaptive(true).build());
        Upstream a = upstream();
        PooledConnection c1 = connect(pool, a);
        release(pool, c1);
        PooledConnection c2 = connect(pool, a);
        release(pool, c2);
        PooledConnection c3 = connect(pool, a);
        release(pool, c3);

        assertEquals(3, pool.idleCount(), "one at a time, but the floor is three");
    }

    @Test
    void aFixedPoolCountsWhatIsInUse() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(2).build());
        Upstream a = upstream();
        PooledConnection c1 = connect(pool, a);
        PooledConnection c2 = connect(pool, a);
        assertEquals(2, (int) OnLoop.call(pool.loop(), pool::inUse));
        release(pool, c1);
        OnLoop.call(pool.loop(), () -> {
            pool.close(c2);
            return null;
        });
        assertEquals(0, (int) OnLoop.call(pool.loop(), pool::inUse));
        assertSame(c1, acquire(pool, a));
        assertEquals(1, (int) OnLoop.call(pool.loop(), pool::inUse));
    }

    @Test
    void aSurplusConnectionReleasedByOneEventOfABatchServesAnotherEventOfTheSameBatch() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(1).build());
        EventLoop loop = pool.loop();
        Upstream a = upstream();
        PooledConnection first = connect(pool, a);
        PooledConnection second = connect(pool, a);
        release(pool, first);
        Pipe one = Pipe.open();
        Pipe two = Pipe.open();
        try {
            // whichever event of the batch comes first releases `second` (one more than keepalive 1), the other
            // acquires; only then, at the end of the batch, is the surplus closed: none is left
            AtomicInteger events = new AtomicInteger();
            AtomicInteger idleInBatch = new AtomicInteger();
            List<PooledConnection> acquired = new ArrayList<>();
            IoHandler handler = ops -> {
                one.source().read(ByteBuffer.allocate(8));
                two.source().read(ByteBuffer.allocate(8));
                if (events.incrementAndGet() == 1) {
                    pool.release(second);
                    idleInBatch.set(pool.idleCount());
                } else {
                    acquired.add(pool.acquire(a.address()));
                }
            };
            OnLoop.run(loop, () -> {
                loop.register(one.source(), SelectionKey.OP_READ, handler);
                loop.register(two.source(), SelectionKey.OP_READ, handler);
            });
            OnLoop.run(loop, () -> { // both ready before the loop selects again: one batch
                one.sink().write(ByteBuffer.wrap(new byte[] {1}));
                two.sink().write(ByteBuffer.wrap(new byte[] {1}));
            });
            OnLoop.await(() -> events.get() >= 2, Duration.ofSeconds(5), "both events are dispatched");
            OnLoop.nextIteration(loop);

            assertEquals(2, idleInBatch.get(), "the surplus waits for the end of the batch");
            assertEquals(List.of(second), OnLoop.call(loop, () -> List.copyOf(acquired)));
            assertEquals(0, pool.evictions());
            assertEquals(1, (int) OnLoop.call(loop, pool::idleCount));
            assertTrue(first.isOpen());
            assertSame(first, acquire(pool, a));
        } finally {
            for (Pipe p : List.of(one, two)) {
                p.sink().close();
                p.source().close();
            }
        }
    }

    @Test
    void aConnectionThatServedKeepaliveRequestsIsClosedInsteadOfPooled() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().maxRequests(3).build());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);

        assertTrue(release(pool, c));
        assertSame(c, acquire(pool, a));
        assertTrue(release(pool, c));
        assertSame(c, acquire(pool, a));
        assertEquals(3, c.requests());
        assertFalse(release(pool, c));

        assertTrue(peerSawClose(c));
        assertEquals(1, pool.retired());
        assertEquals(0, pool.idleCount());
    }

    @Test
    void aConnectionOlderThanKeepaliveTimeIsClosedInsteadOfPooled() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().maxTime(Duration.ofSeconds(10)).build());
        Upstream a = upstream();
        PooledConnection young = connect(pool, a);
        assertTrue(release(pool, young));
        PooledConnection old = connect(pool, a);

        advance(Duration.ofSeconds(11));

        assertFalse(release(pool, old));
        assertTrue(peerSawClose(old));
    }

    @Test
    void anIdleConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idleTimeout(Duration.ofSeconds(60)).build());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);

        advance(Duration.ofSeconds(59));
        assertEquals(1, pool.idleCount());
        advance(Duration.ofSeconds(2));

        assertEquals(0, pool.idleCount());
        assertEquals(1, pool.expired());
        assertTrue(peerSawClose(c));
        assertNull(acquire(pool, a));
    }

    @Test
    void keepaliveZeroPoolsNothing() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().idle(0).build());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);

        assertFalse(release(pool, c));
        assertTrue(peerSawClose(c));
        assertNull(acquire(pool, a));
    }

    // ----------------------------------------------------------------------------------------------- idle watch

    @Test
    void aPeerClosingAnIdleConnectionIsNoticedAndDroppedBeforeReuse() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        release(pool, connect(pool, a));

        a.closeLatest();

        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the close is noticed");
        assertEquals(0, (int) OnLoop.call(pool.loop(), pool::idleCount));
        assertNull(acquire(pool, a));
    }

    @Test
    void anIdleConnectionResetByThePeerIsDropped() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);

        a.resetLatest();

        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the reset is noticed");
        assertFalse(OnLoop.call(pool.loop(), c::isOpen));
        assertEquals(0, (int) OnLoop.call(pool.loop(), pool::idleCount));
    }

    @Test
    void unsolicitedBytesFromAnIdleUpstreamDropTheConnection() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);

        a.sayLatest("HTTP/1.1 408 Request Timeout\r\n\r\n");

        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the bytes are noticed");
        assertEquals(0, (int) OnLoop.call(pool.loop(), pool::idleCount));
        assertTrue(peerSawClose(c));
    }

    // ------------------------------------------------------------------------------------------ learned limits

    @Test
    void aKeepAliveTimeoutHeaderRetiresIdleConnectionsAFractionOfASecondBeforeThePeersTimeout() throws Exception {
        // Node announces timeout=5: a request every 4.7 s still finds its connection
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        OnLoop.run(pool.loop(), () -> pool.keepAliveHeader(c, 5, -1));
        PeerLimits limits = pool.peerLimits(a.address());
        assertEquals(TimeUnit.SECONDS.toNanos(5), limits.idleLimitNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(4750), limits.retireIdleNanos());

        release(pool, c);
        advance(Duration.ofMillis(4700));
        assertSame(c, acquire(pool, a));
        release(pool, c);
        advance(Duration.ofMillis(4800));

        assertEquals(0, pool.idleCount(), "the idle timer retired it, before any acquire");
        assertNull(acquire(pool, a));
        assertEquals(1, pool.retired());
        assertTrue(peerSawClose(c));
    }

    @Test
    void aKeepAliveTimeoutOfZeroClosesItsConnectionAtReleaseAndLeavesThePeersOthersPooled() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection once = connect(pool, a);
        PooledConnection other = connect(pool, a);
        OnLoop.run(pool.loop(), () -> pool.keepAliveHeader(once, 0, -1));

        assertFalse(release(pool, once), "no idle time for the connection that said so");
        assertTrue(release(pool, other));
        assertEquals(PeerLimits.UNKNOWN_IDLE, pool.peerLimits(a.address()).idleLimitNanos());
        assertSame(other, acquire(pool, a));
        assertTrue(release(pool, other), "a later response without the header pools its connection again");
        assertTrue(peerSawClose(once));
    }

    @Test
    void aSlowPathToThePeerWidensTheMarginBeforeItsIdleLimit() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a, TimeUnit.MILLISECONDS.toNanos(100)); // a round trip of 100 ms
        OnLoop.run(pool.loop(), () -> pool.keepAliveHeader(c, 5, -1));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(4550), pool.peerLimits(a.address()).retireIdleNanos());

        release(pool, c);
        advance(Duration.ofMillis(4500));
        assertSame(c, acquire(pool, a));
        release(pool, c);
        advance(Duration.ofMillis(4600));

        assertNull(acquire(pool, a));
        assertEquals(1, pool.retired());
    }

    @Test
    void aKeepAliveMaxHeaderRetiresAConnectionBeforeItsLastAllowedRequest() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        // first response: two more requests allowed on this connection, three in all
        OnLoop.run(pool.loop(), () -> pool.keepAliveHeader(c, 5, 2));
        assertEquals(3, pool.peerLimits(a.address()).requestLimit());

        assertTrue(release(pool, c));
        assertSame(c, acquire(pool, a));
        OnLoop.run(pool.loop(), () -> pool.keepAliveHeader(c, 5, 1)); // Apache counts down: same limit
        assertEquals(3, pool.peerLimits(a.address()).requestLimit());

        assertFalse(release(pool, c), "a third request would reach the limit: retire the connection now");
        assertEquals(1, pool.retired());
    }

    @Test
    void anIdleCloseSeenOnOneLoopRetiresConnectionsOnEveryLoopBeforeThatAge() throws Exception {
        PeerLimitsRegistry registry = new PeerLimitsRegistry(KeepaliveSettings.defaults());
        List<KeepalivePool> pools = pools(registry, 2);
        KeepalivePool first = pools.get(0);
        KeepalivePool second = pools.get(1);
        Upstream a = upstream();
        release(first, connect(first, a));

        advance(Duration.ofSeconds(10));
        a.closeLatest(); // the peer's 10 s idle timeout
        OnLoop.await(() -> first.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the close is seen");

        PeerLimits limits = second.peerLimits(a.address());
        assertSame(first.peerLimits(a.address()), limits);
        long learned = limits.idleLimitNanos();
        assertTrue(learned >= TimeUnit.SECONDS.toNanos(10) && learned < TimeUnit.SECONDS.toNanos(11), "" + learned);
        PooledConnection c = connect(second, a);
        release(second, c);
        advance(Duration.ofMillis(9500));
        assertSame(c, acquire(second, a));
        release(second, c);
        advance(Duration.ofMillis(10_800)); // beyond what was learned, less 250 ms

        assertNull(acquire(second, a));
        assertEquals(1, second.retired());
    }

    @Test
    void aCloseRightAfterTheKthRequestTeachesTheRequestLimitAndConnectionsStillCarryThatMany() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);
        assertSame(c, acquire(pool, a));
        release(pool, c);
        assertSame(c, acquire(pool, a));
        release(pool, c);

        a.closeLatest(); // right after the third response, without a word
        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the close is seen");
        assertEquals(3, pool.peerLimits(a.address()).requestLimit());
        assertEquals(PeerLimits.UNKNOWN_IDLE, pool.peerLimits(a.address()).idleLimitNanos());

        PooledConnection d = connect(pool, a);
        assertTrue(release(pool, d));
        assertSame(d, acquire(pool, a));
        assertTrue(release(pool, d));
        assertSame(d, acquire(pool, a));
        assertFalse(release(pool, d), "it carried three requests, all the peer serves on one connection");
        assertNull(acquire(pool, a));
    }

    @Test
    void aConnectionRetiredAtALearnedRequestLimitIsKeptUnusedAndForgetsTheLimitIfThePeerKeepsItOpen()
            throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        learnOneRequestLimit(pool, a);
        PooledConnection d = connect(pool, a);

        assertFalse(release(pool, d), "retired at the limit learned");
        assertNull(acquire(pool, a), "and never used again");
        advance(Duration.ofMillis(PeerLimits.QUICK_CLOSE_MILLIS));

        OnLoop.await(() -> pool.limitsDisproved() == 1, Duration.ofSeconds(5), "the peer kept it open");
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, pool.peerLimits(a.address()).requestLimit());
        assertTrue(peerSawClose(d), "closed once the test ended");
        PooledConnection e = connect(pool, a);
        assertTrue(release(pool, e));
        assertSame(e, acquire(pool, a), "connections are reused again");
    }

    @Test
    void aPeerThatClosesTheConnectionKeptAtItsRequestLimitConfirmsTheLimit() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        learnOneRequestLimit(pool, a);
        PooledConnection d = connect(pool, a);
        assertFalse(release(pool, d));

        a.closeLatest(); // the peer does close after one request
        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 2, Duration.ofSeconds(5), "the probe's close is seen");
        advance(Duration.ofMillis(PeerLimits.QUICK_CLOSE_MILLIS));

        assertEquals(0, pool.limitsDisproved());
        assertEquals(1, pool.peerLimits(a.address()).requestLimit());
    }

    /** The peer closes a connection right after its first response: "one request a connection" is learned. */
    private void learnOneRequestLimit(KeepalivePool pool, Upstream a) throws Exception {
        release(pool, connect(pool, a));
        a.closeLatest();
        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the close is seen");
        assertEquals(1, pool.peerLimits(a.address()).requestLimit());
    }

    @Test
    void aResponseThatSaidCloseTeachesItsRequestCountAndRetiresConnectionsThatReachedIt() throws Exception {
        // a Gunicorn worker at --max-requests says close on one connection and drops the others when it exits:
        // another connection that carried as many requests must not be given the next one
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection closing = connect(pool, a);
        PooledConnection other = connect(pool, a);
        for (int i = 0; i < 2; i++) {
            release(pool, closing);
            release(pool, other);
            assertSame(other, acquire(pool, a));
            assertSame(closing, acquire(pool, a));
        }
        release(pool, other);

        OnLoop.run(pool.loop(), () -> pool.closeAnnounced(closing, 200)); // its third response said close

        assertEquals(3, pool.peerLimits(a.address()).requestLimit());
        assertEquals(3, other.requests());
        assertNull(acquire(pool, a), "the other connection carried three requests too");
        assertTrue(peerSawClose(closing));
        assertTrue(peerSawClose(other));
        assertEquals(1, pool.retired());
        assertEquals(0, pool.closedByPeerWhileIdle());
    }

    @Test
    void anErrorResponseThatSaidCloseTeachesNothing() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);
        assertSame(c, acquire(pool, a));

        OnLoop.run(pool.loop(), () -> pool.closeAnnounced(c, 503)); // Tomcat closes after a 503, whatever its limit

        assertEquals(PeerLimits.UNKNOWN_REQUESTS, pool.peerLimits(a.address()).requestLimit());
        assertTrue(peerSawClose(c));
    }

    @Test
    void aCloseSaidOnAConnectionsFirstResponseTeachesNothing() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);

        OnLoop.run(pool.loop(), () -> pool.closeAnnounced(c, 200));

        assertEquals(PeerLimits.UNKNOWN_REQUESTS, pool.peerLimits(a.address()).requestLimit());
        PooledConnection next = connect(pool, a);
        assertTrue(release(pool, next));
        assertSame(next, acquire(pool, a));
    }

    @Test
    void aStaleReusedConnectionTeachesItsIdleAgeAsTheIdleLimit() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);
        advance(Duration.ofSeconds(20));
        assertSame(c, acquire(pool, a));

        OnLoop.run(pool.loop(), () -> pool.closeStale(c)); // the request met a reset

        long learned = pool.peerLimits(a.address()).idleLimitNanos();
        assertTrue(learned >= TimeUnit.SECONDS.toNanos(20) && learned < TimeUnit.SECONDS.toNanos(21), "" + learned);
        assertFalse(c.isOpen());
    }

    @Test
    void aRestartTeachesOnlyItsHighestCloseAndThatIsForgottenThirtySecondsLater() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection older = connect(pool, a);
        release(pool, older);
        assertSame(older, acquire(pool, a));
        release(pool, older);
        PooledConnection newer = connect(pool, a);
        release(pool, newer);

        serverSide.get(older).close(); // the peer restarts: every connection closes, whatever its age and count
        serverSide.get(newer).close();
        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 2, Duration.ofSeconds(5), "both closes are seen");
        assertEquals(2, pool.peerLimits(a.address()).requestLimit(),
                "the close after one request teaches nothing: another connection served two");
        PooledConnection next = connect(pool, a);
        assertTrue(release(pool, next), "pooled after its first request");
        assertSame(next, acquire(pool, a));
        assertFalse(release(pool, next), "retired at two while the restart's lesson holds");

        advance(Duration.ofSeconds(30));

        PooledConnection later = connect(pool, a);
        assertTrue(release(pool, later));
        assertSame(later, acquire(pool, a));
        assertEquals(PeerLimits.UNKNOWN_REQUESTS, pool.peerLimits(a.address()).requestLimit());
    }

    @Test
    void aCloseBelowWhatAnotherConnectionServedTeachesNoLimit() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection busy = connect(pool, a);
        release(pool, busy);
        for (int i = 0; i < 4; i++) {
            assertSame(busy, acquire(pool, a));
            release(pool, busy);
        }
        PooledConnection fresh = connect(pool, a);
        release(pool, fresh);

        serverSide.get(fresh).close(); // a peer that drops a connection at random, not at a limit
        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the close is seen");

        assertEquals(PeerLimits.UNKNOWN_REQUESTS, pool.peerLimits(a.address()).requestLimit(),
                "a connection served five: a close after one is no limit");
        assertSame(busy, acquire(pool, a));
        assertTrue(release(pool, busy), "still pooled");
    }

    @Test
    void aCloseSoonerThanAnotherConnectionSurvivedIdleTeachesNoIdleLimit() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection patient = connect(pool, a);
        release(pool, patient);
        advance(Duration.ofSeconds(3));
        assertSame(patient, acquire(pool, a));
        release(pool, patient); // it served a request after 3 s idle
        assertSame(patient, acquire(pool, a));
        PooledConnection other = connect(pool, a);
        release(pool, other);
        advance(Duration.ofSeconds(1));

        serverSide.get(other).close(); // dropped after 1 s idle: at random, not at an idle limit
        OnLoop.await(() -> pool.closedByPeerWhileIdle() == 1, Duration.ofSeconds(5), "the close is seen");

        assertEquals(PeerLimits.UNKNOWN_IDLE, pool.peerLimits(a.address()).idleLimitNanos(),
                "a connection survived 3 s idle: a close after 1 s is no idle limit");
        release(pool, patient);
    }

    @Test
    void withLearningOffThePoolBehavesExactlyAsNginx() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().learnLimits(false).build());
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        OnLoop.run(pool.loop(), () -> pool.keepAliveHeader(c, 1, 1));

        assertTrue(release(pool, c));
        advance(Duration.ofSeconds(5));
        assertSame(c, acquire(pool, a));
        assertEquals(PeerLimits.UNKNOWN_IDLE, pool.peerLimits(a.address()).idleLimitNanos());
    }

    // --------------------------------------------------------------------------------------- lifecycle and cost

    @Test
    void gracefulShutdownClosesIdleConnectionsAndClosesTheOnesStillInUseOnRelease() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        Upstream a = upstream();
        PooledConnection idle = connect(pool, a);
        release(pool, idle);
        PooledConnection busy = connect(pool, a);
        AtomicInteger inFlight = new AtomicInteger(1);
        boolean[] releasedKept = {true};
        EventLoop loop = pool.loop();
        loop.addDrainable(new Drainable() {
            @Override
            public void beginDrain() {
                // the exchange finishes 50 ms into the shutdown and offers its connection back
                loop.newTimeout(() -> {
                    releasedKept[0] = pool.release(busy);
                    inFlight.set(0);
                }).schedule(TimeUnit.MILLISECONDS.toNanos(50));
            }

            @Override
            public int inFlight() {
                return inFlight.get();
            }
        });

        assertTrue(group.shutdownGracefully(Duration.ofSeconds(5)));

        assertFalse(releasedKept[0]);
        assertTrue(peerSawClose(idle));
        assertTrue(peerSawClose(busy));
    }

    @Test
    void misuseIsRefused() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.defaults());
        KeepalivePool other = new KeepalivePool(pool.loop(), new PeerLimitsRegistry(KeepaliveSettings.defaults()));
        Upstream a = upstream();
        PooledConnection c = connect(pool, a);
        release(pool, c);

        assertThrows(IllegalStateException.class, () -> release(pool, c));
        assertThrows(IllegalArgumentException.class, () -> release(other, c));
        assertThrows(IllegalStateException.class, () -> pool.acquire(a.address()));
    }

    @Test
    void acquireAndReleaseAllocateNothingInSteadyState() throws Exception {
        KeepalivePool pool = pool(KeepaliveSettings.builder().maxRequests(Integer.MAX_VALUE).build());
        Upstream[] peers = {upstream(), upstream(), upstream()};
        for (Upstream u : peers) {
            for (int i = 0; i < 4; i++) {
                release(pool, connect(pool, u));
            }
        }
        InetSocketAddress[] keys = {peers[0].address(), peers[1].address(), peers[2].address()};

        long allocated = OnLoop.call(pool.loop(), () -> Allocations.measure(() -> {
            for (int i = 0; i < 10_000; i++) {
                PooledConnection c = pool.acquire(keys[i % keys.length]);
                pool.release(c);
            }
        }));

        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 20,000 acquire/release pairs");
        assertEquals(12, pool.idleCount());
        assertNotNull(acquire(pool, peers[0]));
    }
}
