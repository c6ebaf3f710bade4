package dev.sluice.upstream;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sessions {@code sticky learn} learned, shared by every loop: session value to peer, the least recently used
 * dropped beyond the size, one unused for the timeout forgotten when next looked up (NGINX Plus's zone and its
 * {@code timeout}).
 */
final class StickySessions {

    private final Ticker ticker;
    private final long timeoutNanos;
    private final Map<String, Session> sessions;

    StickySessions(Sticky sticky, Ticker ticker) {
        this.ticker = ticker;
        this.timeoutNanos = sticky.timeout().toNanos();
        int size = sticky.size();
        this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
                return size() > size;
            }
        };
    }

    /** The peer session {@code key} was learned for, or null when it is unknown or timed out. */
    synchronized PeerState get(String key) {
        Session session = sessions.get(key);
        if (session == null) {
            return null;
        }
        long now = ticker.nanos();
        if (now - session.used > timeoutNanos) {
            sessions.remove(key);
            return null;
        }
        session.used = now;
        return session.peer;
    }

    /** Binds session {@code key} to {@code peer}, now. */
    synchronized void put(String key, PeerState peer) {
        sessions.put(key, new Session(peer, ticker.nanos()));
    }

    synchronized int size() {
        return sessions.size();
    }

    private static final class Session {
        final PeerState peer;
        long used;

        Session(PeerState peer, long used) {
            this.peer = peer;
            this.used = used;
        }
    }
}
