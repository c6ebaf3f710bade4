package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.upstream.Balancer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BalanceLineTest {

    @Test
    void eachMethodMapsToTheLibrarysBalancer() {
        assertSame(Balancer.roundRobin(), BalanceLine.parse("round_robin").balancer());
        assertSame(Balancer.leastConn(), BalanceLine.parse("least_conn").balancer());
        assertSame(Balancer.ipHash(), BalanceLine.parse("ip_hash").balancer());
        assertSame(Balancer.random(), BalanceLine.parse("random").balancer());
        assertSame(Balancer.randomTwo(), BalanceLine.parse("random two").balancer());
        assertSame(Balancer.randomTwoLeastConn(), BalanceLine.parse("random two least_conn").balancer());
        assertNull(BalanceLine.parse("least_conn").hashKey());
    }

    @Test
    void hashKeepsItsKeyForTheRoute() {
        BalanceLine hash = BalanceLine.parse("hash $request_uri");
        assertSame(Balancer.hash(), hash.balancer());
        assertEquals("$request_uri", hash.hashKey());

        BalanceLine consistent = BalanceLine.parse(" hash  $cookie_session  consistent ");
        assertSame(Balancer.hash().consistent(), consistent.balancer());
        assertEquals("$cookie_session", consistent.hashKey());
    }

    @Test
    void leastTimeTakesItsMeasureAndInflight() {
        assertSame(Balancer.leastTimeHeader(), BalanceLine.parse("least_time header").balancer());
        assertSame(Balancer.leastTimeLastByte(), BalanceLine.parse("least_time last_byte").balancer());
        assertSame(Balancer.leastTimeHeader().inflight(), BalanceLine.parse("least_time header inflight").balancer());
        assertSame(Balancer.leastTimeLastByte().inflight(),
                BalanceLine.parse("least_time last_byte inflight").balancer());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "roundrobin                 | invalid method \"roundrobin\"",
            "''                         | invalid method \"\"",
            "least_conn extra           | unexpected \"extra\"",
            "hash                       | hash needs a KEY",
            "hash $request_uri sticky   | invalid parameter \"sticky\"",
            "hash $request_uri consistent more | unexpected \"more\"",
            "hash $nosuch               | hash key uses an unknown variable $nosuch",
            "random three               | invalid parameter \"three\"",
            "random two most_conn       | invalid method \"most_conn\"",
            "least_time                 | least_time needs header or last_byte",
            "least_time first_byte      | least_time needs header or last_byte",
            "least_time header outflight | invalid parameter \"outflight\"",
            "least_time header inflight x | unexpected \"x\""})
    void aBadMethodIsRefusedQuotingIt(String text, String expected) {
        String message = assertThrows(IllegalArgumentException.class, () -> BalanceLine.parse(text)).getMessage();
        assertTrue(message.startsWith(expected), message);
    }
}
