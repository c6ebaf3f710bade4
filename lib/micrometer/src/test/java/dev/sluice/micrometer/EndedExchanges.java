package dev.sluice.micrometer;

import dev.sluice.observe.ExchangeListener;
import dev.sluice.observe.ExchangeRecord;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A listener registered after the metrics: once it has seen an exchange, the metrics have counted it, so a test
 * reads the meters after {@link #next()} with no sleep.
 */
final class EndedExchanges implements ExchangeListener {

    private final BlockingQueue<ExchangeRecord> ended = new LinkedBlockingQueue<>();

    @Override
    public void exchangeEnded(ExchangeRecord exchange) {
        ended.add(exchange);
    }

    /** The next exchange to end; fails after 5 s. */
    ExchangeRecord next() throws InterruptedException {
        ExchangeRecord exchange = ended.poll(5, TimeUnit.SECONDS);
        if (exchange == null) {
            throw new AssertionError("no exchange ended within 5 s");
        }
        return exchange;
    }
}
