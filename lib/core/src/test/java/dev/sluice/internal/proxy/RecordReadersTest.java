package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.Answer;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.observe.ExchangeRecord;
import org.junit.jupiter.api.Test;

class RecordReadersTest {

    /** Overrides a phase, not {@code done}. */
    static class Answering implements ProxyHandler {
        @Override
        public Answer onRequest(ProxyRequest request) {
            return null;
        }
    }

    static class Done implements ProxyHandler {
        @Override
        public void done(ProxyRequest request, ExchangeRecord record) {
        }
    }

    /** Inherits {@code done} from a class that overrides it. */
    static class DoneInherited extends Done {
    }

    @Test
    void onlyAHandlerThatOverridesDoneReadsTheRecords() {
        assertFalse(ProxyEngine.readsRecords(null));
        assertFalse(ProxyEngine.readsRecords(new ProxyHandler() { }));
        assertFalse(ProxyEngine.readsRecords(new Answering()));
        assertTrue(ProxyEngine.readsRecords(new Done()));
        assertTrue(ProxyEngine.readsRecords(new DoneInherited()));
    }
}
