/**
 * Sluice's requests, upstream attempts, retries and peer states as Micrometer meters: start with {@link
 * dev.sluice.micrometer.SluiceMetrics}, which binds them to a {@code MeterRegistry} and returns the {@link
 * dev.sluice.observe.ExchangeListener} to give to {@code ProxyServer.Builder.listener}.
 */
package dev.sluice.micrometer;
