package dev.sluice.internal.proxy;

import dev.sluice.internal.net.Drainable;

/** Drains one loop's client connections during graceful shutdown: idle ones close now, busy ones after their exchange. */
final class ClientDrain implements Drainable {

    private final LoopContext loop;

    ClientDrain(LoopContext loop) {
        this.loop = loop;
    }

    @Override
    public void beginDrain() {
        loop.drainClients();
    }

    @Override
    public int inFlight() {
        return loop.busyClients();
    }
}
