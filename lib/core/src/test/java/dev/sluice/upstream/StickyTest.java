package dev.sluice.upstream;

import static dev.sluice.upstream.Picks.server;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** NGINX Plus's sticky sessions at the level of the group: what binds a request to a peer, and what a pick does. */
class StickyTest {

    private final ManualTicker ticker = new ManualTicker();

    private UpstreamGroup group(Sticky sticky) {
        return UpstreamGroup.builder("s").ticker(ticker).sticky(sticky)
                .server(server(0), s -> s.route("a")).server(server(1), s -> s.route("b")).server(server(2))
                .build();
    }

    private PeerState peer(UpstreamGroup group, int index) {
        return group.peers().get(index);
    }

    @Test
    void aPeersCookieIdIsTheHexMd5OfItsAddressAsNginxPlusMakesIt() {
        UpstreamGroup group = group(Sticky.cookie("srv_id").build());
        assertEquals("9f23fdfb4b98c8f845ae04e3662871ac", peer(group, 0).stickyId()); // md5("127.0.0.1:19001")
        assertSame(peer(group, 1), group.stickyPeer("50f4ff1c54620e48bc864a4bdfd90a7d"));
        assertNull(group.stickyPeer("00000000000000000000000000000000"));
        assertNull(group.stickyPeer(""));
    }

    @Test
    void theCookieCarriesItsAttributes() {
        ZonedDateTime now = ZonedDateTime.of(2026, 12, 4, 6, 0, 0, 0, ZoneOffset.UTC);
        Sticky sticky = Sticky.cookie("srv_id").expires(Duration.ofHours(1)).domain(".example.com").path("/")
                .httpOnly().secure().sameSite("LAX").build();
        UpstreamGroup group = group(sticky);
        assertEquals("srv_id=9f23fdfb4b98c8f845ae04e3662871ac; expires=Fri, 04 Dec 2026 07:00:00 GMT; max-age=3600;"
                + " domain=.example.com; path=/; httponly; secure; samesite=Lax", sticky.setCookie(peer(group, 0), now));
        assertEquals("srv_id=9f23fdfb4b98c8f845ae04e3662871ac; expires=Thu, 31 Dec 2037 23:55:55 GMT",
                Sticky.cookie("srv_id").expiresMax().build().setCookie(peer(group, 0), now));
        assertEquals("srv_id=9f23fdfb4b98c8f845ae04e3662871ac", Sticky.cookie("srv_id").build()
                .setCookie(peer(group, 0), now), "a session cookie without expires");
    }

    @Test
    void aRouteNamesThePeerWithThatRouteOrItsSuffixAfterTheLastDot() {
        UpstreamGroup group = group(Sticky.route("$cookie_route", "$arg_route"));
        assertSame(peer(group, 1), group.stickyPeer("b"));
        assertSame(peer(group, 0), group.stickyPeer("0123abcd.a"), "a JSESSIONID-style value");
        assertNull(group.stickyPeer("c"));
        assertEquals(2, group.sticky().lookup().size());
    }

    @Test
    void learnedSessionsBindUntilTheyTimeOutUnused() {
        UpstreamGroup group = group(Sticky.learn("$upstream_cookie_session", "$cookie_session")
                .timeout(Duration.ofMinutes(1)).build());
        group.learnSession("s1", peer(group, 2));
        ticker.advance(Duration.ofSeconds(50));
        assertSame(peer(group, 2), group.stickyPeer("s1"), "used: its minute starts again");
        ticker.advance(Duration.ofSeconds(50));
        assertSame(peer(group, 2), group.stickyPeer("s1"));
        ticker.advance(Duration.ofSeconds(61));
        assertNull(group.stickyPeer("s1"), "a minute unused");
    }

    @Test
    void beyondItsSizeTheLeastRecentlyUsedSessionIsForgotten() {
        UpstreamGroup group = group(Sticky.learn("$upstream_cookie_session", "$cookie_session").size(1000).build());
        for (int i = 0; i < 1000; i++) {
            group.learnSession("session-" + i, peer(group, i % 3));
        }
        assertSame(peer(group, 0), group.stickyPeer("session-0")); // now the most recently used
        group.learnSession("session-1000", peer(group, 1));

        assertNull(group.stickyPeer("session-1"), "the least recently used went");
        assertSame(peer(group, 0), group.stickyPeer("session-0"));
        for (int i = 2; i <= 1000; i++) {
            assertSame(peer(group, i % 3), group.stickyPeer("session-" + i), "session-" + i);
        }
    }

    @Test
    void aPreferredPeerTakesTheFirstAttemptWhileItIsEligible() {
        UpstreamGroup group = group(Sticky.cookie("srv_id").build());
        Selection selection = group.newSelection();
        for (int i = 0; i < 5; i++) {
            assertSame(peer(group, 2), selection.reset().prefer(peer(group, 2)).select());
            selection.report(Outcome.SUCCESS);
        }
        peer(group, 2).setDown(true);
        PeerState fallback = selection.reset().prefer(peer(group, 2)).select();
        assertTrue(fallback != peer(group, 2), "a down peer falls back to the balancer");
        selection.report(Outcome.FAILURE);
        assertTrue(selection.select() != fallback, "a retry is the balancer's too");
    }

    @Test
    void aPeerOfAnotherGroupCannotBePreferred() {
        UpstreamGroup group = group(Sticky.cookie("srv_id").build());
        UpstreamGroup other = group(Sticky.cookie("srv_id").build());
        assertThrows(IllegalArgumentException.class, () -> group.newSelection().prefer(peer(other, 0)));
    }

    @Test
    void eachMethodTakesOnlyItsOwnParameters() {
        assertThrows(IllegalArgumentException.class, () -> Sticky.learn("$cookie_x", "$cookie_x"));
        assertThrows(IllegalArgumentException.class, () -> Sticky.learn("$upstream_cookie_x", "$cookie_x")
                .expires(Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> Sticky.cookie("srv_id").timeout(Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> Sticky.cookie("srv id"));
        assertThrows(IllegalArgumentException.class, () -> Sticky.cookie("srv_id").sameSite("sometimes"));
        assertThrows(IllegalArgumentException.class, () -> Sticky.cookie("srv_id").path("/a;b"));
        assertThrows(IllegalArgumentException.class, () -> Sticky.route());
        assertThrows(IllegalArgumentException.class, () -> Sticky.route("$"));
    }
}
