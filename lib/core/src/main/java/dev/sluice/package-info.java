/**
 * Sluice's front door. Start with {@link dev.sluice.ProxyServer}: listening addresses, routes to upstream groups
 * ({@link dev.sluice.Route}), client-side limits, then {@code start()}. A route's {@link dev.sluice.ProxyHandler}
 * programs it: local {@link dev.sluice.Answer}s, the group chosen per request, edits of what goes upstream ({@link
 * dev.sluice.UpstreamRequest}) and of what comes back ({@link dev.sluice.UpstreamResponse}). Upstream groups and
 * their balancing are in {@link dev.sluice.upstream}; events and the access log in {@link dev.sluice.observe}.
 */
package dev.sluice;
