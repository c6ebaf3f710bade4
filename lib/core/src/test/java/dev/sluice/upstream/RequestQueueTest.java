package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NGINX Plus's queue at the level of selections: who waits, in what order, who is woken and when. */
class RequestQueueTest {

    private final ManualTicker ticker = new ManualTicker();
    /** The names of the requests woken, in order. */
    private final List<String> woken = new ArrayList<>();

    private UpstreamGroup oneSlot(int queue) {
        return UpstreamGroup.builder("q").ticker(ticker).queue(queue)
                .server(server(0), s -> s.maxConns(1)).server(server(1), s -> s.maxConns(1).backup())
                .build();
    }

    private Selection waiting(UpstreamGroup group, String name) {
        Selection selection = group.newSelection();
        assertNull(selection.select(), name + " finds no peer free");
        assertTrue(selection.waitForPeer(() -> woken.add(name)), name + " gets in line");
        return selection;
    }

    private static Selection holding(UpstreamGroup group) {
        Selection selection = group.newSelection();
        assertNotNull(selection.select());
        return selection;
    }

    @Test
    void aRequestThatFindsEveryPeerAtMaxConnsIsWokenWhenOneFinishes() {
        UpstreamGroup group = oneSlot(5);
        Selection first = holding(group);
        Selection second = holding(group);
        Selection third = waiting(group, "third");

        first.report(Outcome.SUCCESS);

        assertEquals(List.of("third"), woken);
        assertEquals(server(0), third.select().server());
        second.report(Outcome.SUCCESS);
        third.report(Outcome.SUCCESS);
    }

    @Test
    void requestsAreServedInTheOrderTheyCameAndNewcomersWaitBehindThem() {
        UpstreamGroup group = oneSlot(5);
        Selection a = holding(group);
        Selection b = holding(group);
        Selection c = waiting(group, "c");
        Selection d = waiting(group, "d");

        a.report(Outcome.SUCCESS);
        Selection newcomer = group.newSelection();
        assertNull(newcomer.select(), "the free place is c's, admitted ahead of a newcomer");
        assertEquals(List.of("c"), woken);
        assertNotNull(c.select());
        b.report(Outcome.SUCCESS);
        assertEquals(List.of("c", "d"), woken);
        assertNotNull(d.select());
        c.report(Outcome.SUCCESS);
        d.report(Outcome.SUCCESS);
    }

    @Test
    void aFullQueueRefusesTheNextRequestAndCountsTheOverflow() {
        UpstreamGroup group = oneSlot(1);
        holding(group);
        holding(group);
        waiting(group, "waits");
        Selection refused = group.newSelection();

        assertNull(refused.select());
        assertFalse(refused.waitForPeer(() -> woken.add("refused")));
        assertEquals(new UpstreamGroup.QueueStatus(1, 1, 1), group.queueStatus().orElseThrow());
    }

    @Test
    void aRequestThatLeavesIsRemovedAndAnUnusedTurnPassesToTheNext() {
        UpstreamGroup group = oneSlot(5);
        Selection a = holding(group);
        holding(group);
        Selection leaving = waiting(group, "leaving");
        Selection next = waiting(group, "next");
        Selection last = waiting(group, "last");

        last.leaveQueue();
        assertEquals(2, group.queueStatus().orElseThrow().size());
        a.report(Outcome.SUCCESS);
        leaving.leaveQueue();

        assertEquals(List.of("leaving", "next"), woken);
        assertNotNull(next.select());
        assertEquals(0, group.queueStatus().orElseThrow().size());
    }

    @Test
    void anAdmittedRequestThatStillFindsNoPeerGoesBackToTheFront() {
        UpstreamGroup group = oneSlot(5);
        Selection a = holding(group);
        Selection b = holding(group);
        Selection c = waiting(group, "c");
        Selection d = waiting(group, "d");

        a.report(Outcome.SUCCESS);
        group.peers().get(0).setDown(true); // the place freed is gone before c uses it
        assertNull(c.select());
        assertTrue(c.waitForPeer(() -> woken.add("c again")));

        assertFalse(d.takeTurnIfFirst());
        assertTrue(c.takeTurnIfFirst(), "c is first in line again, ahead of d");
        b.report(Outcome.SUCCESS);
    }

    @Test
    void aPeerThatComesBackUpAdmitsTheFirstInLine() {
        UpstreamGroup group = UpstreamGroup.builder("q").ticker(ticker).queue(5).server(server(0)).server(server(1))
                .build();
        group.peers().forEach(p -> p.setDown(true));
        Selection waiting = waiting(group, "waiting");

        group.peers().get(1).setDown(false);

        assertEquals(List.of("waiting"), woken);
        assertEquals(server(1), waiting.select().server());
    }

    @Test
    void theFirstInLineLooksAgainWhenOnlyTimeFreedAPeer() {
        UpstreamGroup group = UpstreamGroup.builder("q").ticker(ticker).queue(5)
                .server(server(0)).server(server(1)).build();
        Selection failing = group.newSelection();
        failing.select();
        failing.report(Outcome.FAILURE);
        failing.select();
        failing.report(Outcome.FAILURE);
        Selection waiting = waiting(group, "waiting");
        Selection behind = waiting(group, "behind");

        assertFalse(behind.takeTurnIfFirst());
        assertTrue(waiting.takeTurnIfFirst());
        assertNull(waiting.select(), "both peers still rest in their fail_timeout");
        assertTrue(waiting.waitForPeer(() -> woken.add("again")));
        ticker.advance(Duration.ofSeconds(11));
        assertTrue(waiting.takeTurnIfFirst());

        assertNotNull(waiting.select());
        assertTrue(woken.isEmpty(), "nothing but time woke anyone");
    }

    @Test
    void aRequestThatHadAPeerDoesNotQueueForItsRetry() {
        UpstreamGroup group = UpstreamGroup.builder("q").ticker(ticker).queue(5)
                .server(server(0)).server(server(1)).build();
        Selection selection = group.newSelection();
        selection.select();
        selection.report(Outcome.FAILURE);
        selection.select();
        selection.report(Outcome.FAILURE);

        assertNull(selection.select(), "both peers tried");
        assertFalse(selection.waitForPeer(() -> woken.add("retry")));
    }

    @Test
    void aGroupWithoutAQueueLetsNobodyWait() {
        UpstreamGroup group = UpstreamGroup.builder("q").server(server(0), s -> s.maxConns(1)).build();
        holding(group);
        Selection selection = group.newSelection();

        assertNull(selection.select());
        assertFalse(selection.waitForPeer(() -> woken.add("none")));
        assertTrue(group.queueStatus().isEmpty());
        assertEquals(Duration.ZERO, group.queueTimeout());
    }

    @Test
    void aQueueNeedsRoomAndAPositiveTimeout() {
        UpstreamGroup.Builder builder = UpstreamGroup.builder("q").server(server(0));
        assertThrows(IllegalArgumentException.class, () -> builder.queue(0));
        assertThrows(IllegalArgumentException.class, () -> builder.queue(1, Duration.ZERO));
        assertEquals(Duration.ofSeconds(60), builder.queue(1).build().queueTimeout());
    }
}
