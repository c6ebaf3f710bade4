/**
 * Upstream groups and load balancing with nginx's semantics, as pure logic: no sockets, no threads, no I/O.
 *
 * <p>Start with {@link dev.sluice.upstream.UpstreamGroup} (the {@code upstream {}} block: its servers and their
 * {@code server} parameters) and {@link dev.sluice.upstream.Balancer} (the balancing method: round robin,
 * {@code least_conn}, {@code ip_hash}, {@code hash}, {@code hash ... consistent}, {@code random}). A request
 * drives a {@link dev.sluice.upstream.Selection}: it picks a peer, reports the outcome, and picks again for a
 * retry. Each peer's live state is a {@link dev.sluice.upstream.PeerState}.
 *
 * <p>Because nothing here opens a socket, routing can be unit-tested in-process: inject a {@link
 * dev.sluice.upstream.Ticker} and a {@link java.util.random.RandomGenerator} and every pick repeats exactly.
 */
package dev.sluice.upstream;
