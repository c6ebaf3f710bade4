package dev.sluice.internal.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionBudgetTest {

    private final EventLoopGroup group = EventLoopGroup.builder().threads(2).build();
    private final EventLoop a = group.loops().get(0);
    private final EventLoop b = group.loops().get(1);

    @AfterEach
    void tearDown() {
        group.close();
    }

    @Test
    void eachLoopHoldsUpToItsOwnLimit() {
        ConnectionBudget budget = new ConnectionBudget(group.loops(), 1, 0);
        assertTrue(budget.reserve(a));
        assertFalse(budget.reserve(a));
        assertTrue(budget.reserve(b));
        assertFalse(budget.hasRoom(group.loops()));
        budget.giveBack(a);
        assertTrue(budget.hasRoom(List.of(a)));
        assertFalse(budget.hasRoom(List.of(b)));
    }

    @Test
    void theGroupHoldsUpToItsTotalWhateverTheLoop() {
        ConnectionBudget budget = new ConnectionBudget(group.loops(), 0, 2);
        assertTrue(budget.reserve(a));
        assertTrue(budget.reserve(b));
        assertFalse(budget.reserve(a));
        assertFalse(budget.reserve(b));
        assertEquals(2, budget.open());
    }

    @Test
    void aRefusedReservationTakesNothing() {
        ConnectionBudget budget = new ConnectionBudget(group.loops(), 1, 1);
        assertTrue(budget.reserve(a));
        assertFalse(budget.reserve(b), "b has room but the group has not");
        budget.giveBack(a);
        assertTrue(budget.reserve(b));
        assertEquals(1, budget.open());
    }

    @Test
    void aShortageAsksEachLoopToCloseConnectionsThatWaitForARequestOnThatLoop() throws Exception {
        ConnectionBudget budget = new ConnectionBudget(group.loops(), 1, 0);
        AtomicInteger onA = new AtomicInteger();
        CountDownLatch ran = new CountDownLatch(1);
        budget.reclaimWith(a, () -> {
            if (a.inEventLoop()) {
                onA.incrementAndGet();
            }
            ran.countDown();
        });

        budget.reclaim(List.of(a, b)); // b has no reclaimer: nothing to ask

        assertTrue(ran.await(5, TimeUnit.SECONDS));
        assertEquals(1, onA.get());
    }

    @Test
    void noLimitMeansEveryReservationSucceeds() {
        ConnectionBudget budget = new ConnectionBudget(group.loops(), 0, 0);
        for (int i = 0; i < 1000; i++) {
            assertTrue(budget.reserve(i % 2 == 0 ? a : b));
        }
        assertEquals(1000, budget.open());
    }

    @Test
    void aWaitingListenerIsWokenOnceByTheNextClose() {
        ConnectionBudget budget = new ConnectionBudget(group.loops(), 1, 0);
        budget.reserve(a);
        AtomicInteger woken = new AtomicInteger();
        budget.whenRoom(woken::incrementAndGet);
        budget.giveBack(a);
        assertEquals(1, woken.get());
        budget.reserve(a);
        budget.giveBack(a);
        assertEquals(1, woken.get(), "a wake-up is for one close");
    }
}
