/**
 * Sluice's front door. Start with {@link dev.sluice.ProxyServer}: listening addresses, routes to upstream groups
 * ({@link dev.sluice.Route}), client-side limits, then {@code start()}. Upstream groups and their balancing
 * are in {@link dev.sluice.upstream}; events and the access log in {@link dev.sluice.observe}.
 */
package dev.sluice;
