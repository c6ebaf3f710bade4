package dev.sluice.internal.proxy;

/**
 * Where an {@link Attempt} is. {@link #allows} is its lifecycle: a move it does not list is a defect and fails
 * loudly ({@link IllegalStateException}) rather than leaving the attempt where no event expects it. Any phase may
 * end in {@link #IDLE}: the attempt finished, failed or was given up.
 */
enum AttemptPhase {
    /** No attempt under way. */
    IDLE,
    /** Opening a connection to the peer. */
    CONNECTING,
    /** Connected: the TLS handshake with the peer is under way. */
    HANDSHAKING,
    /** Writing the request head and body; an early answer may be read meanwhile. */
    SENDING,
    /** The request went out whole: waiting for the response head. */
    READING_HEAD,
    /** The head is in and with the exchange, which decides what follows. */
    HEAD_READ,
    /** The exchange relays the body from this attempt's connection. */
    RELAYING,
    /** The connection switched protocols and carries a tunnel. */
    TUNNEL,
    /** The response is over (read whole, or broken after its head); the connection waits to be released. */
    DONE;

    /** Whether an attempt in this phase may move to {@code next}. */
    boolean allows(AttemptPhase next) {
        switch (next) {
            case IDLE:
                return true;
            case CONNECTING:
                return this == IDLE;
            case HANDSHAKING:
                return this == CONNECTING;
            case SENDING:
                return this == IDLE || this == CONNECTING || this == HANDSHAKING;
            case READING_HEAD:
                return this == SENDING;
            case HEAD_READ:
                return this == SENDING || this == READING_HEAD;
            case RELAYING:
            case TUNNEL:
                return this == HEAD_READ;
            default:
                return this == HEAD_READ || this == RELAYING || this == TUNNEL;
        }
    }
}
