/**
 * Sluice's test kit, added with test scope ({@code dev.sluice:sluice-testing}): what a test of code that embeds
 * Sluice needs, and what Sluice's own tests use.
 *
 * <ul>
 *   <li>{@link dev.sluice.testing.ManualTicker}, a clock a test moves by hand, for upstream groups;</li>
 *   <li>{@link dev.sluice.testing.ScriptedUpstream}, an HTTP/1.1 upstream whose answers and socket faults are
 *       scripted one line each;</li>
 *   <li>{@link dev.sluice.testing.RawClient}, a byte-exact client for smuggling and pipelining tests;</li>
 *   <li>{@link dev.sluice.testing.Upstreams}, a JUnit 5 extension that starts scripted upstreams and a
 *       {@code ProxyServer} in front of them and stops them after each test.</li>
 * </ul>
 */
package dev.sluice.testing;
