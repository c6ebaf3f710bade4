package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestLimitTest {

    private static RequestLimit.Builder tenPerSecond() {
        return RequestLimit.builder("api").rate("10r/s");
    }

    @Test
    void aClientsFirstRequestPassesAtOnce() {
        assertEquals(0, tenPerSecond().build().admit("10.0.0.1", 5_000));
    }

    @Test
    void withoutBurstASecondRequestWithinTheIntervalIsRejected() {
        RequestLimit limit = tenPerSecond().build();
        limit.admit("a", 0);
        assertEquals(RequestLimit.REJECT, limit.admit("a", 99));
        assertEquals(0, limit.admit("a", 100), "at 10r/s one request drains in 100 ms");
    }

    @Test
    void requestsWithinTheBurstWaitUntilTheBucketHasDrained() {
        RequestLimit limit = tenPerSecond().burst(5).build();
        limit.admit("a", 0);
        for (int n = 1; n <= 5; n++) {
            assertEquals(100L * n, limit.admit("a", 0), "request " + (n + 1));
        }
        assertEquals(RequestLimit.REJECT, limit.admit("a", 0), "the seventh is beyond the burst");
    }

    @Test
    void nodelayLetsTheWholeBurstPassAtOnce() {
        RequestLimit limit = tenPerSecond().burst(3).nodelay().build();
        for (int n = 0; n < 4; n++) {
            assertEquals(0, limit.admit("a", 0), "request " + (n + 1));
        }
        assertEquals(RequestLimit.REJECT, limit.admit("a", 0));
    }

    @Test
    void delayLetsTheFirstRequestsOfTheBurstPassAndDelaysTheRest() {
        RequestLimit limit = tenPerSecond().burst(4).delay(2).build();
        assertEquals(0, limit.admit("a", 0));
        assertEquals(0, limit.admit("a", 0));
        assertEquals(0, limit.admit("a", 0));
        assertEquals(100, limit.admit("a", 0));
        assertEquals(200, limit.admit("a", 0));
        assertEquals(RequestLimit.REJECT, limit.admit("a", 0));
    }

    @Test
    void aRejectedRequestDoesNotFillTheBucket() {
        RequestLimit limit = tenPerSecond().burst(1).build();
        limit.admit("a", 0);
        assertEquals(100, limit.admit("a", 0));
        for (int n = 0; n < 10; n++) {
            assertEquals(RequestLimit.REJECT, limit.admit("a", 0));
        }
        assertEquals(100, limit.admit("a", 100), "only the accepted requests are in the bucket");
    }

    @Test
    void aPerMinuteRateDrainsOneRequestPerItsInterval() {
        RequestLimit limit = RequestLimit.builder("slow").rate("30r/m").build();
        limit.admit("a", 0);
        assertEquals(RequestLimit.REJECT, limit.admit("a", 1_999));
        assertEquals(0, limit.admit("a", 2_000));
    }

    @Test
    void clientAddressesHaveBucketsOfTheirOwn() {
        RequestLimit limit = tenPerSecond().build();
        limit.admit("a", 0);
        assertEquals(RequestLimit.REJECT, limit.admit("a", 0));
        assertEquals(0, limit.admit("b", 0));
    }

    @Test
    void theZoneForgetsTheLeastRecentlySeenAddressBeyondItsSize() {
        RequestLimit limit = tenPerSecond().keys(2).build();
        limit.admit("a", 0);
        limit.admit("b", 0);
        assertEquals(RequestLimit.REJECT, limit.admit("a", 0), "a is remembered and becomes the most recent");
        limit.admit("c", 0);
        assertEquals(0, limit.admit("b", 0), "b was the least recently seen, so it was forgotten");
        assertEquals(RequestLimit.REJECT, limit.admit("c", 0));
    }

    @Test
    void aClockThatStepsBackDoesNotDrainTheBucket() {
        RequestLimit limit = tenPerSecond().build();
        limit.admit("a", 1_000);
        assertEquals(RequestLimit.REJECT, limit.admit("a", 500));
    }

    @Test
    void badValuesNameThemselves() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RequestLimit.builder("z").rate("10/s"))
                .getMessage().contains("Nr/s or Nr/m: \"10/s\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RequestLimit.builder("z").rate("0r/s"))
                .getMessage().contains("\"0r/s\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RequestLimit.builder("z").burst(-1))
                .getMessage().contains("burst"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RequestLimit.builder("z").status(200))
                .getMessage().contains("200"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RequestLimit.builder("z").build())
                .getMessage().contains("zone z needs a rate"));
    }

    @Test
    void rejectsWithNginxsDefaultStatusUnlessToldOtherwise() {
        assertEquals(503, tenPerSecond().build().status());
        assertEquals(429, tenPerSecond().status(429).build().status());
    }
}
