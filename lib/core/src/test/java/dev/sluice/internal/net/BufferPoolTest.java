package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BufferPoolTest {

    private final BufferPool pool = new BufferPool(1024, 2);

    @Test
    void aReleasedBufferIsReusedClearedAndDirect() {
        ByteBuffer first = pool.acquire();
        first.put((byte) 1).flip();
        pool.release(first);

        ByteBuffer again = pool.acquire();

        assertSame(first, again);
        assertTrue(again.isDirect());
        assertEquals(0, again.position());
        assertEquals(1024, again.limit());
        assertEquals(1, pool.allocatedCount());
    }

    @Test
    void buffersBeyondTheIdleCapAreDropped() {
        ByteBuffer a = pool.acquire();
        ByteBuffer b = pool.acquire();
        ByteBuffer c = pool.acquire();
        pool.release(a);
        pool.release(b);
        pool.release(c);

        assertEquals(2, pool.idleCount());
        assertNotSame(c, pool.acquire());
    }

    @Test
    void aForeignBufferIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> pool.release(ByteBuffer.allocate(1024)));
        assertThrows(IllegalArgumentException.class, () -> pool.release(ByteBuffer.allocateDirect(512)));
    }

    @Test
    void acquireAndReleaseAllocateNothingInSteadyState() {
        long allocated = Allocations.measure(() -> {
            for (int i = 0; i < 10_000; i++) {
                pool.release(pool.acquire());
            }
        });

        assertTrue(allocated < 1024, "allocated " + allocated + " bytes");
    }
}
