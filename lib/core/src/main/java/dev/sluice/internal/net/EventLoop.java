package dev.sluice.internal.net;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.nio.channels.Channel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one {@link Selector}: the equivalent of an nginx worker process. It owns the channels registered on
 * it, their {@link Timeout timers} and a {@link BufferPool}; a client connection and the upstream connections that
 * serve it live on the same loop, so the hot path never crosses threads.
 *
 * <p>Each iteration: wait for readiness (no longer than the earliest timer), read the clock once into the cached
 * {@link #nanoTime()}, dispatch ready keys to their {@link IoHandler}, run what waited for the end of that batch
 * ({@link #afterBatch(Runnable)}), run the timers that are due, then the tasks queued by
 * {@link #execute(Runnable)}. Readiness is dispatched through {@link Selector#select(Consumer, long)}, so no
 * selected-key set or iterator is allocated per event.
 *
 * <p>Everything here except {@link #execute(Runnable)}, {@link #inEventLoop()} and {@link #isShuttingDown()} must be
 * called on the loop thread; other threads hand work over with {@code execute}.
 */
public final class EventLoop implements NanoClock {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    /** While draining, how often the loop asks its {@link Drainable}s whether work remains. */
    static final long DRAIN_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Tasks run per iteration at most, so a flood of cross-thread work cannot starve I/O. */
    private static final int MAX_TASKS_PER_ITERATION = 1024;
    /**
     * The loop thread's stack: Java's regex engine recurses once per repetition of a group, so a location or map
     * regex such as {@code ^/(a|b)*$} overflows a default 1 MiB stack on a 4 KiB value; 16 MiB matches 32 KiB,
     * more than any target or header line the proxy takes. Only what is used is ever committed.
     */
    private static final long STACK_BYTES = 16L << 20;

    static final int RUNNING = 0;
    static final int DRAINING = 1;
    static final int STOPPING = 2;
    static final int TERMINATED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(EventLoop.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Selector selector;
    private final SelectorProvider provider;
    private final Thread thread;
    private final NanoClock clock;
    final TimerHeap timers = new TimerHeap();
    private final BufferPool buffers;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by the loop just before it blocks in select; a producer that clears it owes a wakeup. */
    private final AtomicBoolean wakeupNeeded = new AtomicBoolean();
    private final Consumer<SelectionKey> dispatcher = this::dispatch;
    private final LoopDrain drain;
    private final List<Runnable> afterBatch = new ArrayList<>();
    /** Whether the loop is dispatching the ready keys of one select. */
    private boolean dispatching;

    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    private long now;
    private boolean clockStale;

    EventLoop(String name, NanoClock clock, BufferPool buffers, SelectorProvider provider) throws IOException {
        this.name = name;
        this.clock = clock;
        this.buffers = buffers;
        this.provider = provider;
        this.selector = provider.openSelector();
        this.now = clock.nanoTime();
        this.drain = new LoopDrain(name);
        this.thread = new Thread(null, this::run, name, STACK_BYTES);
        this.thread.setDaemon(false);
    }

    void start() {
        thread.start();
    }

    /** Releases the selector of a loop that was never started. */
    void abandon() {
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing the selector of {} failed", name, e);
        }
    }

    // ---------------------------------------------------------------------------------------------- thread and time

    /** Where this loop's selector and channels come from: the platform's sockets, or a test's in-memory network. */
    SelectorProvider provider() {
        return provider;
    }

    /** Whether the caller runs on this loop's thread. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * The loop's clock, read once per iteration (before handlers, timers and tasks run): cheap, and the same for
     * every event of one iteration, as nginx's {@code ngx_current_msec}. Read it on the loop thread.
     */
    @Override
    public long nanoTime() {
        return now;
    }

    /** The thread's name, e.g. {@code sluice-loop-0}. */
    public String name() {
        return name;
    }

    /** The direct buffers of this loop. */
    public BufferPool buffers() {
        return buffers;
    }

    /** Whether a graceful or forced shutdown of this loop has begun. Any thread. */
    public boolean isShuttingDown() {
        return state != RUNNING;
    }

    void checkInLoop() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("not on the thread of " + name + ": " + Thread.currentThread().getName());
        }
    }

    // ------------------------------------------------------------------------------------------------- channels

    /**
     * Registers a channel with this loop's selector; {@code handler} receives its readiness until the key is
     * cancelled or the channel closed. The channel is switched to non-blocking mode. Change the interest set later
     * with {@link SelectionKey#interestOps(int)} (cheap when it does not change) and the handler with
     * {@link SelectionKey#attach(Object)}.
     */
    public SelectionKey register(SelectableChannel channel, int interestOps, IoHandler handler) throws IOException {
        checkInLoop();
        Objects.requireNonNull(handler, "handler");
        if (channel.isBlocking()) {
            channel.configureBlocking(false);
        }
        return channel.register(selector, interestOps, handler);
    }

    /**
     * Starts a non-blocking connect from this loop; see {@link ConnectOptions} and {@link ConnectHandler}. The
     * handler is called on this loop, never from within this method, and exactly once unless the attempt is
     * cancelled. Nothing is thrown for a connect that fails: refused, unreachable, timed out and even an address of
     * the wrong kind are all reported to {@link ConnectHandler#onConnectFailed(IOException)}.
     */
    public PendingConnect connect(SocketAddress remote, ConnectOptions options, ConnectHandler handler) {
        checkInLoop();
        ConnectAttempt attempt = new ConnectAttempt(this, remote, options, handler);
        attempt.start();
        return attempt;
    }

    /** A timer of this loop that runs {@code task} on this loop when due; schedule it as often as needed. */
    public Timeout newTimeout(Runnable task) {
        return new Timeout(this, task);
    }

    Selector selector() {
        return selector;
    }

    /**
     * Runs {@code task} once this loop has dispatched every ready key of the current select, before the timers and
     * tasks of the iteration; called outside that dispatch (from a timer or a task), runs it at once. For work that
     * is cheaper done once for the whole batch of events than at each of them: the keepalive pool closes its
     * surplus idle connections there, so that a connection released by one event can still serve another event of
     * the same batch. Nothing is allocated once the list has grown to the number of such tasks per batch.
     */
    public void afterBatch(Runnable task) {
        checkInLoop();
        if (dispatching) {
            afterBatch.add(task);
            return;
        }
        runSafely(task);
    }

    private void runAfterBatch() {
        for (int i = 0; i < afterBatch.size(); i++) {
            runSafely(afterBatch.get(i));
        }
        afterBatch.clear();
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            log.warn("task {} failed on {}", task, name, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- tasks

    /**
     * Runs {@code task} on the loop thread in a coming iteration; callable from any thread. The selector is woken
     * only when the loop is (about to be) blocked in it.
     *
     * @throws RejectedExecutionException when the loop has terminated
     */
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        tasks.offer(task);
        if (state == TERMINATED && tasks.remove(task)) {
            throw new RejectedExecutionException(name + " has terminated");
        }
        if (!inEventLoop() && wakeupNeeded.get() && wakeupNeeded.getAndSet(false)) {
            selector.wakeup();
        }
    }

    private void runTasks(int max) {
        for (int i = 0; i < max; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            runSafely(task);
        }
    }

    // -------------------------------------------------------------------------------------------------- drain

    /**
     * Adds a participant in graceful shutdown; see {@link Drainable}. Any thread; if the loop already drains, the
     * drainable's {@link Drainable#beginDrain()} is called at once (on the loop).
     */
    public void addDrainable(Drainable drainable) {
        Objects.requireNonNull(drainable, "drainable");
        onLoop(() -> drain.add(drainable, state == DRAINING));
    }

    /** Removes a participant added with {@link #addDrainable(Drainable)}. Any thread. */
    public void removeDrainable(Drainable drainable) {
        onLoop(() -> drain.remove(drainable));
    }

    private void onLoop(Runnable r) {
        if (inEventLoop()) {
            r.run();
        } else {
            try {
                execute(r);
            } catch (RejectedExecutionException ignored) {
                // terminated: nothing left to drain
            }
        }
    }

    /** Begins a graceful shutdown that lasts at most {@code graceNanos}. Any thread. */
    void startDrain(long graceNanos) {
        if (graceNanos <= 0) {
            stop();
            return;
        }
        onLoop(() -> {
            if (state != RUNNING) {
                return;
            }
            STATE.compareAndSet(this, RUNNING, DRAINING);
            drain.start(clock.nanoTime() + graceNanos);
        });
    }

    /** Whether the last graceful shutdown hit its deadline with work still in flight. */
    boolean cutShort() {
        return drain.cutShort();
    }

    /** Stops the loop at its next iteration, closing every channel still registered. Any thread. */
    void stop() {
        if (state == DRAINING) {
            drain.markCutShort();
        }
        for (;;) {
            int s = state;
            if (s >= STOPPING || STATE.compareAndSet(this, s, STOPPING)) {
                break;
            }
        }
        selector.wakeup();
    }

    /** Waits for the thread to end; true if it did within the time. */
    boolean awaitTermination(long nanos) throws InterruptedException {
        long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
        thread.join(millis);
        return !thread.isAlive();
    }

    boolean isTerminated() {
        return state == TERMINATED && !thread.isAlive();
    }

    // ---------------------------------------------------------------------------------------------------- loop

    private void run() {
        try {
            tick();
            while (state < STOPPING) {
                dispatching = true;
                try {
                    select();
                } finally {
                    dispatching = false;
                }
                if (clockStale) {
                    tick();
                }
                runAfterBatch();
                timers.runExpired(now);
                runTasks(MAX_TASKS_PER_ITERATION);
                if (state == DRAINING && drain.over(now)) {
                    STATE.compareAndSet(this, DRAINING, STOPPING);
                }
            }
        } catch (Throwable e) {
            log.error("{} stopped by an unexpected error", name, e);
        } finally {
            terminate();
        }
    }

    private void tick() {
        now = clock.nanoTime();
        clockStale = false;
    }

    private void select() throws IOException {
        clockStale = true;
        long timeout = selectTimeoutNanos();
        if (timeout == 0 || !tasks.isEmpty()) {
            selector.selectNow(dispatcher);
            return;
        }
        wakeupNeeded.set(true);
        try {
            if (!tasks.isEmpty()) {
                selector.selectNow(dispatcher);
            } else if (timeout < 0) {
                selector.select(dispatcher);
            } else {
                // round up: waking before the deadline would only cost another iteration
                selector.select(dispatcher, (timeout + 999_999) / 1_000_000);
            }
        } finally {
            wakeupNeeded.set(false);
        }
    }

    /** Nanoseconds until the earliest timer, 0 when one is due, -1 for "no timer". */
    private long selectTimeoutNanos() {
        long timeout = -1;
        if (!timers.isEmpty()) {
            timeout = Math.max(0, timers.nextKey() - clock.nanoTime());
        }
        if (state == DRAINING && (timeout < 0 || timeout > DRAIN_POLL_NANOS)) {
            timeout = DRAIN_POLL_NANOS;
        }
        return timeout;
    }

    private void dispatch(SelectionKey key) {
        if (clockStale) {
            tick();
        }
        if (!key.isValid()) {
            return;
        }
        Object attachment = key.attachment();
        if (!(attachment instanceof IoHandler)) {
            log.warn("{}: ready key without a handler on {}; closing it", name, key.channel());
            closeQuietly(key.channel());
            return;
        }
        IoHandler handler = (IoHandler) attachment;
        try {
            handler.onReady(key.readyOps());
        } catch (Throwable e) {
            handlerFailed(key, handler, e);
        }
    }

    private void handlerFailed(SelectionKey key, IoHandler handler, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("{}: handler {} failed on {}; closing the channel", name, handler, key.channel(), cause);
        } else {
            log.warn("{}: handler {} failed on {}; closing the channel", name, handler, key.channel(), cause);
        }
        closeQuietly(key.channel());
        notifyClosed(handler, cause);
    }

    private void notifyClosed(IoHandler handler, Throwable cause) {
        try {
            handler.onClosedByLoop(cause);
        } catch (Throwable e) {
            log.warn("{}: handler {} failed after its channel was closed", name, handler, e);
        }
    }

    private void terminate() {
        STATE.setVolatile(this, TERMINATED);
        try {
            // tasks that slipped in before the state flipped: run them, they may own channels
            runTasks(Integer.MAX_VALUE);
            IOException cause = new IOException(name + " shut down");
            for (SelectionKey key : selector.keys().toArray(new SelectionKey[0])) {
                if (!key.isValid()) {
                    continue; // closed in the last iteration, its owner knows
                }
                closeQuietly(key.channel());
                if (key.attachment() instanceof IoHandler) {
                    notifyClosed((IoHandler) key.attachment(), cause);
                }
            }
            timers.clear();
            selector.close();
        } catch (Throwable e) {
            log.error("{} failed to release its resources", name, e);
        }
    }

    /** Closes a channel, logging instead of throwing. */
    static void closeQuietly(Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {} failed", channel, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
