/**
 * How requests are proxied: nginx's {@code location} and {@code proxy_*} directives. Start with {@link
 * dev.sluice.proxy.Route} (where a path prefix goes and how: timeouts, {@link dev.sluice.proxy.NextUpstream},
 * error pages, headers) and {@link dev.sluice.proxy.ClientLimits} (the client side's timeouts and sizes). {@link
 * dev.sluice.proxy.ProxyHandler} is the per-connection machinery that carries each exchange to a peer and back.
 */
package dev.sluice.proxy;
