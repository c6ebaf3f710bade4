package dev.sluice.internal.net;

/**
 * A participant in an event loop's graceful shutdown: the hook through which the proxy says "this loop still has N
 * exchanges in flight" and the keepalive pool closes its idle connections, as an nginx worker does when it
 * exits gracefully ({@code ngx_exiting}: listeners closed, idle keepalive connections closed, requests in progress
 * run to their end).
 *
 * <p>Add one with {@link EventLoop#addDrainable(Drainable)}. Both methods run on the loop thread.
 */
public interface Drainable {

    /**
     * Graceful shutdown has begun: stop taking new work on this loop, close idle connections, finish what is in
     * flight. Called once. A drainable added while the loop already drains is called at once.
     */
    void beginDrain();

    /**
     * How many units of work (exchanges, say) are still in flight on this loop. The loop stops once every drainable
     * reports 0, or when the shutdown deadline passes, whichever is first; then it closes every channel still
     * registered. Polled on the loop thread about every 10 ms while draining.
     */
    int inFlight();
}
