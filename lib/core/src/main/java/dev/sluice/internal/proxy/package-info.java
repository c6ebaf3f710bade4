/**
 * The machinery that carries each exchange from a client connection to a peer and back: nginx's {@code proxy_*}
 * directives at work. Not exported; configured through {@link dev.sluice.Route} and {@link dev.sluice.ClientLimits}.
 */
package dev.sluice.internal.proxy;
