/**
 * The network core: event loops over plain {@code java.nio}, one {@link java.nio.channels.Selector} per thread, as
 * nginx runs one event cycle per worker process.
 *
 * <p>Starting points:
 * <ul>
 *   <li>{@link dev.sluice.internal.net.EventLoopGroup}: the loops, {@code bind} for listening sockets, graceful shutdown;</li>
 *   <li>{@link dev.sluice.internal.net.EventLoop}: register a channel with an {@link dev.sluice.internal.net.IoHandler}, hand work
 *       over with {@code execute}, read the cached clock, {@code connect} upstream;</li>
 *   <li>{@link dev.sluice.internal.net.Timeout}: a reusable, allocation-free timer for every connect, send, read and idle
 *       timeout;</li>
 *   <li>{@link dev.sluice.internal.net.BufferPool}: each loop's direct buffers;</li>
 *   <li>{@link dev.sluice.internal.net.Drainable}: how the layers above take part in a graceful shutdown.</li>
 * </ul>
 *
 * <p>Threading rule: everything a loop owns (its channels, timers, buffers) is touched on that loop's thread only;
 * other threads use {@link dev.sluice.internal.net.EventLoop#execute(Runnable)}.
 */
package dev.sluice.internal.net;
