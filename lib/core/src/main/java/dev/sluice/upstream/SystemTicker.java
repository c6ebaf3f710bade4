package dev.sluice.upstream;

/** {@link Ticker#system()}: one instance, so that two users of the system clock can tell they share it. */
final class SystemTicker implements Ticker {

    static final Ticker INSTANCE = new SystemTicker();

    private SystemTicker() {
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "Ticker.system()";
    }
}
