package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.letters;
import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A loop's picks by its own reading of the group's clock, taken once per turn, as nginx's {@code ngx_current_msec}. */
class TurnClockTest {

    /** The group's ticker, counting how often it is read. */
    private static final class CountingTicker implements Ticker {
        final ManualTicker time = new ManualTicker();
        int reads;

        @Override
        public long nanos() {
            reads++;
            return time.nanos();
        }
    }

    /** A loop's reading of the group's ticker, moved when the loop starts a turn. */
    private static final class Turn implements Ticker {
        long nanos;

        @Override
        public long nanos() {
            return nanos;
        }
    }

    private static UpstreamGroup group(Ticker ticker) {
        return UpstreamGroup.builder("turns").resolver(Resolver.none()).ticker(ticker)
                .server(server(0), s -> s.maxFails(1).failTimeout(Duration.ofSeconds(10)))
                .server(server(1))
                .build();
    }

    private static String requests(Selection selection, Outcome outcome, int n) {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            PeerState peer = selection.reset().select();
            selection.report(outcome, 200, 1_000, 2_000);
            picked.add(peer.server());
        }
        return letters(picked);
    }

    @Test
    void picksAndReportsReadTheLoopsReadingInsteadOfTheTicker() {
        CountingTicker ticker = new CountingTicker();
        Turn turn = new Turn();
        turn.nanos = ticker.time.nanos();
        UpstreamGroup group = group(ticker);
        Selection loop = group.newSelection(0, turn);
        int before = ticker.reads;

        assertEquals("ababab", requests(loop, Outcome.SUCCESS, 6));
        assertEquals(before, ticker.reads, "six picks and reports, no read of the ticker");
        requests(group.newSelection(1), Outcome.SUCCESS, 6);
        assertEquals(before + 6, ticker.reads, "a selection without a turn clock reads it at each report");
    }

    @Test
    void failTimeoutRunsOnTheLoopsReadingAsItWouldOnTheTicker() {
        CountingTicker ticker = new CountingTicker();
        Turn turn = new Turn();
        turn.nanos = ticker.time.nanos();
        Selection loop = group(ticker).newSelection(0, turn);
        ManualTicker plainTicker = new ManualTicker();
        Selection plain = group(plainTicker).newSelection(0);

        assertEquals("a", requests(loop, Outcome.FAILURE, 1));
        assertEquals("bbb", requests(loop, Outcome.SUCCESS, 3), "a rests after max_fails=1");
        turn.nanos += Duration.ofSeconds(11).toNanos();
        assertEquals("a", requests(plain, Outcome.FAILURE, 1));
        assertEquals("bbb", requests(plain, Outcome.SUCCESS, 3));
        plainTicker.advance(Duration.ofSeconds(11));

        assertEquals("bba", requests(plain, Outcome.SUCCESS, 3), "a is back, its weight climbing from 0");
        assertEquals("bba", requests(loop, Outcome.SUCCESS, 3), "the loop's turn is past fail_timeout, its ticker not");
    }

    @Test
    void aReadingThatLagsNeverTakesTheGroupsTimeBack() {
        ManualTicker ticker = new ManualTicker();
        Now now = new Now(ticker);
        now.forget();
        long seen = now.nanos();
        Turn lagging = new Turn();
        lagging.nanos = seen - Duration.ofSeconds(1).toNanos();

        now.forget(lagging);
        assertEquals(seen, now.nanos(), "another thread read the ticker later than this loop's turn began");
        ticker.advance(Duration.ofSeconds(5));
        lagging.nanos = ticker.nanos();
        now.forget(lagging);
        assertEquals(ticker.nanos(), now.nanos(), "a newer reading moves it on");
    }

    @Test
    void aTurnClockIsRequired() {
        UpstreamGroup group = group(new ManualTicker());

        assertThrows(NullPointerException.class, () -> group.newSelection(0, null));
        assertThrows(IllegalArgumentException.class, () -> group.newSelection(-1, new Turn()));
    }
}
