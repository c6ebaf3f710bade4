/**
 * Test fixtures for the proxy's integration tests: {@link dev.sluice.testing.ScriptedUpstream}, an
 * HTTP/1.1 upstream whose answers and socket faults are scripted one line each;
 * {@link dev.sluice.testing.RawClient}, a byte-exact client for smuggling and pipelining tests; and
 * {@link dev.sluice.testing.Upstreams}, a JUnit 5 extension that starts scripted upstreams and WireMock
 * servers and stops them after each test.
 */
package dev.sluice.testing;
