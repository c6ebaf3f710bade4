/**
 * How requests are proxied: nginx's {@code location} and {@code proxy_*} directives. Start with {@link
import dev.sluice.ClientLimits;
import dev.sluice.NextUpstream;
import dev.sluice.Route;

 * dev.sluice.Route} (where a path prefix goes and how: timeouts, {@link dev.sluice.NextUpstream},
 * error pages, headers) and {@link dev.sluice.ClientLimits} (the client side's timeouts and sizes). {@link
 * dev.sluice.internal.proxy.ProxyHandler} is the per-connection machinery that carries each exchange to a peer and back.
 */
package dev.sluice.internal.proxy;
