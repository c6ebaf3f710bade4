package dev.sluice.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Serves the connections of a {@link ScriptedUpstream}, each on its own thread: reads each request, records it,
 * answers it as the script says, and closes the connection as the script's policies say.
 */
final class ConnectionHandler {

    private static final byte[] BAD_REQUEST = ("HTTP/1.1 400 Bad Request\r\n"
            + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);

    private final UpstreamListener listener;
    private final UpstreamScript script;
    private final RequestLog log;
    private final ResponseWriter writer;

    ConnectionHandler(UpstreamListener listener, UpstreamScript script, RequestLog log) {
        this.listener = listener;
        this.script = script;
        this.log = log;
        this.writer = new ResponseWriter(listener::pause);
    }

    /** Serves connection number {@code sequence} until it or the upstream closes. */
    void serve(Socket socket, int sequence) {
        Thread.currentThread().setName(listener.name() + "-conn-" + sequence);
        try {
            Wire.Reader reader = new Wire.Reader(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            int index = 0;
            int answered = 0;
            while (!listener.isClosed()) {
                Duration idle = script.closeWhenIdle();
                if (idle != null && reader.buffered() == 0) {
                    socket.setSoTimeout(Wire.millis(idle));
                    try {
                        if (!reader.fill()) {
                            return;
                        }
                    } catch (SocketTimeoutException e) {
                        script.policyClose(socket);
                        return;
                    }
                    socket.setSoTimeout(Wire.millis(ScriptedUpstream.SAFETY_TIMEOUT));
                }
                RecordedRequest request = RequestReader.read(reader, script.autoContinue() ? out : null,
                        socket.getPort(), sequence, index);
                if (request == null) {
                    return;
                }
                log.add(request);
                index++;
                if (request.parseError() != null) {
                    out.write(BAD_REQUEST);
                    out.flush();
                    Wire.closeWithFin(socket);
                    return;
                }
                ResponsePlan response = script.next(request).plan;
                if (!listener.pause(response.delay)) {
                    return;
                }
                switch (response.kind) {
                    case NO_RESPONSE:
                        Wire.closeWithFin(socket);
                        return;
                    case RESET_ON_REQUEST:
                        Wire.closeWithRst(socket);
                        return;
                    case STALL:
                        Wire.readUntilClosed(socket);
                        return;
                    case RAW:
                        if (!writer.drip(out, response.raw, 0, response.raw.length, response)) {
                            return;
                        }
                        if (response.closeAfterResponse || !request.keepAlive()) {
                            Wire.closeWithFin(socket);
                            return;
                        }
                        break;
                    default:
                        if (!writer.write(response, request, socket, out)) {
                            return;
                        }
                }
                answered++;
                int limit = script.closeAfterRequests();
                if (limit > 0 && answered >= limit) {
                    if (listener.pause(script.closeAfterRequestsDelay())) {
                        script.policyClose(socket);
                    }
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away, reset us, or a safety timeout fired: this connection is done
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.err.println(listener.name() + ": connection " + sequence + " failed");
            e.printStackTrace();
        } finally {
            listener.closed(socket);
            Wire.closeQuietly(socket);
        }
    }
}
