package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Each test runs on a thread of its own, whose buffers no other test touched. */
class ThreadBuffersTest {

    @Test
    void anArrayGivenBackIsLentAgain() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            byte[] first = buffers.array(1024);
            buffers.giveBack(first);

            assertSame(first, buffers.array(1024));
            assertEquals(1, buffers.madeCount());
            assertEquals(0, buffers.keptCount());
        });
    }

    @Test
    void whatIsLentNowIsWhatWasMadeLessWhatIsKept() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            byte[] a = buffers.array(1024);
            ByteBuffer b = buffers.heap(4096);
            ByteBuffer c = buffers.direct(2048);
            assertEquals(3, buffers.madeCount() - buffers.keptCount());

            buffers.giveBack(a);
            buffers.giveBack(b);
            buffers.giveBack(c);

            assertEquals(0, buffers.madeCount() - buffers.keptCount());
        });
    }

    @Test
    void aBufferComesBackClearedAndOfItsKind() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            ByteBuffer direct = buffers.direct(1024);
            direct.put((byte) 1).flip();
            buffers.giveBack(direct);

            ByteBuffer heap = buffers.heap(1024);
            ByteBuffer again = buffers.direct(1024);

            assertNotSame(direct, heap, "a heap buffer is never a kept direct one");
            assertSame(direct, again);
            assertEquals(0, again.position());
            assertEquals(1024, again.limit());
        });
    }

    @Test
    void onlyTheExactSizeOfAShelfIsKept() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            buffers.giveBack(buffers.array(1024));
            buffers.giveBack(new byte[1500]);
            buffers.giveBack(ByteBuffer.allocate(1024 * 3));

            assertEquals(1, buffers.keptCount(), "sizes no one asked for go to the collector");
        });
    }

    @Test
    void heapBuffersForHeadsComeInPowersOfTwoFromOneKibibyte() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();

            assertEquals(1024, buffers.heapAtLeast(1).capacity());
            assertEquals(1024, buffers.heapAtLeast(1024).capacity());
            assertEquals(2048, buffers.heapAtLeast(1025).capacity());
            assertEquals(8192, buffers.heapAtLeast(4097).capacity());
        });
    }

    @Test
    void replacingGivesTheSmallerBufferBack() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            ByteBuffer small = buffers.heapAtLeast(100);

            ByteBuffer larger = buffers.replace(small, 2 * small.capacity());

            assertEquals(2048, larger.capacity());
            assertSame(small, buffers.heapAtLeast(100));
        });
    }

    @Test
    void aShelfKeepsAtMostOneMebibyte() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            int size = 16 * 1024;
            List<ByteBuffer> lent = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                lent.add(buffers.heap(size));
            }
            lent.forEach(buffers::giveBack);

            assertEquals(ThreadBuffers.KEEP_BYTES / size, buffers.keptCount());
        });
    }

    @Test
    void aSizeLargerThanAShelfHoldsIsNeverKept() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            buffers.giveBack(buffers.heap(ThreadBuffers.KEEP_BYTES * 2));

            assertEquals(0, buffers.keptCount());
            assertEquals(0, buffers.madeCount());
        });
    }

    @Test
    void eachThreadLendsItsOwn() throws Exception {
        byte[][] fromA = new byte[1][];
        onFreshThread(() -> {
            fromA[0] = ThreadBuffers.ofThisThread().array(1024);
            ThreadBuffers.ofThisThread().giveBack(fromA[0]);
        });
        onFreshThread(() -> assertNotSame(fromA[0], ThreadBuffers.ofThisThread().array(1024)));
    }

    @Test
    void aThreadKeepsAFixedNumberOfSizes() throws Exception {
        onFreshThread(() -> {
            ThreadBuffers buffers = ThreadBuffers.ofThisThread();
            for (int size = 1; size <= ThreadBuffers.MAX_SHELVES + 10; size++) {
                buffers.giveBack(buffers.array(size));
            }

            assertEquals(ThreadBuffers.MAX_SHELVES, buffers.keptCount());
            assertTrue(buffers.madeCount() <= ThreadBuffers.MAX_SHELVES);
        });
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void onFreshThread(Body body) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            thread.submit(() -> {
                body.run();
                return null;
            }).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error) {
                throw (Error) e.getCause();
            }
            throw (Exception) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the test's thread did not finish in 10 s", e);
        } finally {
            thread.shutdownNow();
        }
    }
}
