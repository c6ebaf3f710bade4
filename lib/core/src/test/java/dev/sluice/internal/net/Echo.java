package dev.sluice.internal.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** A test server's connection handler: writes back what it reads, closes on end of stream. */
final class Echo implements IoHandler {

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1024);

    private Echo(SocketChannel channel) {
        this.channel = channel;
    }

    /** An accept handler that echoes on every connection. */
    static AcceptHandler acceptor() {
        return (loop, channel) -> loop.register(channel, SelectionKey.OP_READ, new Echo(channel));
    }

    @Override
    public void onReady(int readyOps) throws IOException {
        int n = channel.read(buffer);
        if (n < 0) {
            channel.close();
            return;
        }
        buffer.flip();
        for (int i = 0; i < 1000 && buffer.hasRemaining(); i++) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
