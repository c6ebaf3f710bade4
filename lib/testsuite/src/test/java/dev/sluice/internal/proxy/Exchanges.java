package dev.sluice.internal.proxy;

import dev.sluice.observe.AttemptRecord;
import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/** Records what a proxy reports to its listeners, for assertions; also small waiting helpers shared by tests. */
final class Exchanges implements ExchangeListener {

    final List<ExchangeRecord> exchanges = new CopyOnWriteArrayList<>();
    final List<AttemptRecord> attempts = new CopyOnWriteArrayList<>();

    @Override
    public void attemptEnded(AttemptRecord attempt) {
        attempts.add(attempt);
    }

    @Override
    public void exchangeEnded(ExchangeRecord exchange) {
        exchanges.add(exchange);
    }

    /** The {@code $upstream_status} of every exchange, in order. */
    List<String> upstreamStatuses() {
        return exchanges.stream().map(ExchangeRecord::upstreamStatus).toList();
    }

    /** Waits until {@code condition} holds, polling every 10 ms for at most {@code millis}; returns whether it held. */
    static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }
}
