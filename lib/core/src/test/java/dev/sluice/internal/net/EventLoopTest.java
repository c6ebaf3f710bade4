package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventLoopTest {

    private final EventLoopGroup group = EventLoopGroup.builder().threads(1).build();
    private final EventLoop loop = group.loops().get(0);
    private Pipe pipe;

    @AfterEach
    void tearDown() throws IOException {
        group.close();
        if (pipe != null) {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void timersFireInOrderWithinTenMillisecondsOfTheirDeadline() throws Exception {
        int n = 8;
        long[] firedAt = new long[n];
        long[] due = new long[n];
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(n);
        OnLoop.run(loop, () -> {
            long start = loop.nanoTime(); // deadlines count from the loop's cached time, as nginx's timers do
            for (int i = n - 1; i >= 0; i--) { // scheduled in reverse, must fire in deadline order
                int index = i;
                long delay = TimeUnit.MILLISECONDS.toNanos(15L * (i + 1));
                due[i] = start + delay;
                loop.newTimeout(() -> {
                    firedAt[index] = System.nanoTime();
                    order.add(index);
                    done.countDown();
                }).schedule(delay);
            }
        });

        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), order);
        List<Long> lateMillis = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long late = firedAt[i] - due[i];
            assertTrue(late >= -TimeUnit.MILLISECONDS.toNanos(1), "timer " + i + " fired early by " + -late + " ns");
            lateMillis.add(TimeUnit.NANOSECONDS.toMillis(late));
        }
        Collections.sort(lateMillis);
        // the median is the timer's precision; the worst case is the shared machine's scheduling
        assertTrue(lateMillis.get(n / 2) <= 10, "median lateness " + lateMillis);
        assertTrue(lateMillis.get(n - 1) <= 200, "worst lateness " + lateMillis);
    }

    @Test
    void aCancelledTimerDoesNotFireAndAMovedOneFiresOnceAtItsNewDeadline() throws Exception {
        AtomicInteger cancelledRuns = new AtomicInteger();
        AtomicInteger movedRuns = new AtomicInteger();
        CountDownLatch last = new CountDownLatch(1);
        OnLoop.run(loop, () -> {
            Timeout cancelled = loop.newTimeout(cancelledRuns::incrementAndGet);
            cancelled.schedule(TimeUnit.MILLISECONDS.toNanos(10));
            cancelled.cancel();
            Timeout moved = loop.newTimeout(movedRuns::incrementAndGet);
            moved.schedule(TimeUnit.MILLISECONDS.toNanos(10));
            moved.schedule(TimeUnit.MILLISECONDS.toNanos(40));
            loop.newTimeout(last::countDown).schedule(TimeUnit.MILLISECONDS.toNanos(60));
        });

        assertTrue(last.await(5, TimeUnit.SECONDS));
        assertEquals(0, cancelledRuns.get());
        assertEquals(1, movedRuns.get());
    }

    @Test
    void tasksExecutedFromManyThreadsAllRunOnTheLoopThreadInEachSubmittersOrder() throws Exception {
        int threads = 4;
        int perThread = 2000;
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>()); // only touched on the loop thread
        }
        AtomicInteger offLoop = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads * perThread);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int submitter = t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    int value = i;
                    loop.execute(() -> {
                        if (!loop.inEventLoop()) {
                            offLoop.incrementAndGet();
                        }
                        seen.get(submitter).add(value);
                        done.countDown();
                    });
                    if (i % 500 == 0) {
                        Thread.yield(); // let the loop block in select now and then, so wakeups are exercised
                    }
                }
            });
            submitters.add(thread);
            thread.start();
        }
        for (Thread thread : submitters) {
            thread.join(5000);
        }

        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(0, offLoop.get());
        for (int t = 0; t < threads; t++) {
            int submitter = t;
            List<Integer> values = OnLoop.call(loop, () -> new ArrayList<>(seen.get(submitter)));
            assertEquals(perThread, values.size());
            for (int i = 0; i < perThread; i++) {
                assertEquals(i, (int) values.get(i));
            }
        }
    }

    @Test
    void executeWakesALoopThatIsBlockedWithNothingToDo() throws Exception {
        for (int i = 0; i < 20; i++) {
            Thread.sleep(2); // the loop is blocked in select without a timeout by now
            CountDownLatch ran = new CountDownLatch(1);
            long start = System.nanoTime();
            loop.execute(ran::countDown);
            assertTrue(ran.await(5, TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1));
        }
    }

    @Test
    void theCachedClockIsTheSameWithinAnIterationAndMovesBetweenIterations() throws Exception {
        long[] first = new long[2];
        OnLoop.run(loop, () -> {
            first[0] = loop.nanoTime();
            Thread.sleep(5);
            first[1] = loop.nanoTime();
        });
        OnLoop.nextIteration(loop);
        long later = OnLoop.call(loop, loop::nanoTime);

        assertEquals(first[0], first[1]);
        assertTrue(later - first[0] >= TimeUnit.MILLISECONDS.toNanos(5));
    }

    @Test
    void aHandlerThatThrowsHasItsChannelClosedAndTheLoopCarriesOn() throws Exception {
        pipe = Pipe.open();
        AtomicReference<Throwable> closedWith = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        IoHandler failing = new IoHandler() {
            @Override
            public void onReady(int readyOps) {
                throw new IllegalStateException("handler bug");
            }

            @Override
            public void onClosedByLoop(Throwable cause) {
                closedWith.set(cause);
                closed.countDown();
            }
        };
        OnLoop.run(loop, () -> loop.register(pipe.source(), SelectionKey.OP_READ, failing));

        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));

        assertTrue(closed.await(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, closedWith.get());
        assertFalse(pipe.source().isOpen());
        assertEquals("still alive", OnLoop.call(loop, () -> "still alive"));
    }

    @Test
    void aTimerTaskThatThrowsDoesNotStopTheLoopNorTheTimersAfterIt() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        OnLoop.run(loop, () -> {
            loop.newTimeout(() -> {
                throw new IllegalStateException("timer bug");
            }).schedule(0);
            loop.newTimeout(after::countDown).schedule(TimeUnit.MILLISECONDS.toNanos(5));
        });

        assertTrue(after.await(5, TimeUnit.SECONDS));
        assertEquals(1, (int) OnLoop.call(loop, () -> 1));
    }

    @Test
    void registeringOrSchedulingOffTheLoopThreadIsRefused() throws Exception {
        pipe = Pipe.open();
        Timeout timeout = loop.newTimeout(() -> { });

        assertThrows(IllegalStateException.class,
                () -> loop.register(pipe.source(), SelectionKey.OP_READ, ops -> { }));
        assertThrows(IllegalStateException.class, () -> timeout.schedule(1));
    }

    @Test
    void workLeftForTheEndOfABatchRunsOnceEveryReadyKeyOfTheBatchWasDispatched() throws Exception {
        pipe = Pipe.open();
        Pipe other = Pipe.open();
        try {
            List<String> order = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(2);
            IoHandler handler = ops -> {
                order.add("event");
                pipe.source().read(ByteBuffer.allocate(8));
                other.source().read(ByteBuffer.allocate(8));
                loop.afterBatch(() -> {
                    order.add("after");
                    done.countDown();
                });
            };
            OnLoop.run(loop, () -> {
                loop.register(pipe.source(), SelectionKey.OP_READ, handler);
                loop.register(other.source(), SelectionKey.OP_READ, handler);
            });
            OnLoop.run(loop, () -> { // both ready before the loop selects again: one batch
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
                other.sink().write(ByteBuffer.wrap(new byte[] {1}));
            });

            assertTrue(done.await(5, TimeUnit.SECONDS));
            assertEquals(List.of("event", "event", "after", "after"), order);
        } finally {
            other.sink().close();
            other.source().close();
        }
    }

    @Test
    void workLeftForTheEndOfABatchOutsideOneRunsAtOnce() {
        List<String> order = new ArrayList<>();
        OnLoop.run(loop, () -> {
            loop.afterBatch(() -> order.add("after"));
            order.add("task");
        });

        assertEquals(List.of("after", "task"), order);
    }

    @Test
    void readinessReachesTheHandlerWithTheReadyOperations() throws Exception {
        pipe = Pipe.open();
        AtomicInteger ready = new AtomicInteger();
        CountDownLatch called = new CountDownLatch(1);
        OnLoop.run(loop, () -> loop.register(pipe.source(), SelectionKey.OP_READ, ops -> {
            ready.set(ops);
            pipe.source().read(ByteBuffer.allocate(16));
            called.countDown();
        }));

        pipe.sink().write(ByteBuffer.wrap(new byte[] {7}));

        assertTrue(called.await(5, TimeUnit.SECONDS));
        assertEquals(SelectionKey.OP_READ, ready.get());
    }
}
