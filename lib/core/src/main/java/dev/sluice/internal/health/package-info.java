/**
 * Active health checks of upstream peers, NGINX Plus's {@code health_check}, on an event loop of their own. Not
 * exported; configured through {@link dev.sluice.upstream.HealthCheck}.
 */
package dev.sluice.internal.health;
