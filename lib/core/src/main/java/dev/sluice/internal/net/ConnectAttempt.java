package dev.sluice.internal.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One non-blocking connect, as {@code ngx_event_connect_peer}: open the socket, set its options, bind, connect,
 * wait for {@code OP_CONNECT} under the connect timeout, and report the outcome through the handler, on the loop and
 * never from within {@link #start()}. Failures are values here, never exceptions thrown into the loop.
 */
final class ConnectAttempt implements PendingConnect, IoHandler {

    private static final Logger log = LoggerFactory.getLogger(ConnectAttempt.class);

    private final EventLoop loop;
    private final SocketAddress remote;
    private final ConnectOptions options;
    private final ConnectHandler handler;
    private final Timeout timeout;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean done;

    ConnectAttempt(EventLoop loop, SocketAddress remote, ConnectOptions options, ConnectHandler handler) {
        this.loop = loop;
        this.remote = Objects.requireNonNull(remote, "remote");
        this.options = Objects.requireNonNull(options, "options");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.timeout = loop.newTimeout(this::timedOut);
    }

    void start() {
        try {
            channel = open();
            key = channel.register(loop.selector(), 0, this);
            if (channel.connect(remote)) {
                loop.execute(this::connected); // established at once (Unix sockets, sometimes loopback)
            } else {
                key.interestOps(SelectionKey.OP_CONNECT);
                timeout.schedule(options.connectTimeoutNanos());
            }
        } catch (Throwable e) {
            IOException cause = e instanceof IOException ? (IOException) e
                    : new IOException("cannot connect to " + remote + ": " + e, e);
            EventLoop.closeQuietly(channel);
            loop.execute(() -> failed(cause));
        }
    }

    private SocketChannel open() throws IOException {
        if (remote instanceof UnixDomainSocketAddress) {
            SocketChannel ch = loop.provider().openSocketChannel(StandardProtocolFamily.UNIX);
            ch.configureBlocking(false);
            return ch;
        }
        if (!(remote instanceof InetSocketAddress)) {
            throw new IOException("unsupported address type: " + remote.getClass().getName());
        }
        InetSocketAddress inet = (InetSocketAddress) remote;
        if (inet.isUnresolved()) {
            throw new IOException("unresolved address (the loop never resolves names): " + remote);
        }
        SocketChannel ch = loop.provider().openSocketChannel(inet.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (options.socketKeepalive()) {
                ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            }
            if (options.bindAddress() != null) {
                ch.bind(options.bindAddress());
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(ch);
            throw e;
        }
    }

    @Override
    public void onReady(int readyOps) {
        if (done) {
            return;
        }
        try {
            if (channel.finishConnect()) {
                connected();
            }
        } catch (IOException e) {
            failed(e);
        }
    }

    private void connected() {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel();
        try {
            key.interestOps(0);
            key.attach(null);
            handler.onConnected(key);
        } catch (Throwable e) {
            log.warn("connect handler {} failed for {}; closing the channel", handler, remote, e);
            EventLoop.closeQuietly(channel);
        }
    }

    private void timedOut() {
        failed(new SocketTimeoutException("connect to " + remote + " timed out after "
                + TimeUnit.NANOSECONDS.toMillis(options.connectTimeoutNanos()) + " ms"));
    }

    private void failed(IOException cause) {
        if (done) {
            return;
        }
        done = true;
        timeout.cancel();
        EventLoop.closeQuietly(channel);
        try {
            handler.onConnectFailed(cause);
        } catch (Throwable e) {
            log.warn("connect handler {} failed for {}", handler, remote, e);
        }
    }

    @Override
    public void onClosedByLoop(Throwable cause) {
        failed(cause instanceof IOException ? (IOException) cause : new IOException(cause));
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public boolean cancel() {
        loop.checkInLoop();
        if (done) {
            return false;
        }
        done = true;
        timeout.cancel();
        EventLoop.closeQuietly(channel);
        return true;
    }

    @Override
    public String toString() {
        return "connect to " + remote;
    }
}
