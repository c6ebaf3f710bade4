/**
 * The upstream keepalive cache: nginx's {@code ngx_http_upstream_keepalive_module}, one pool per event loop and
 * upstream group, plus learning of each peer's own keepalive limits so that requests are not sent on connections the
 * peer is about to close.
 *
 * <p>Starting points: {@link dev.sluice.internal.pool.KeepalivePool} (acquire, release, close),
 * {@link dev.sluice.internal.pool.KeepaliveSettings} (the nginx directives), {@link dev.sluice.internal.pool.PeerLimits} (what was
 * learned about a peer, and the policy), {@link dev.sluice.internal.pool.PeerLimitsRegistry} (one per upstream group, shared
 * by every loop).
 */
package dev.sluice.internal.pool;
