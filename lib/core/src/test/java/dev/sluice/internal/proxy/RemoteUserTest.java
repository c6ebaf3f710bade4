package dev.sluice.internal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class RemoteUserTest {

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theUserIsWhatComesBeforeTheFirstColon() {
        assertEquals("ann", RemoteUser.of(basic("ann:se:cret")));
        assertEquals("", RemoteUser.of(basic(":secret")));
        assertEquals("ann", RemoteUser.of("basic " + basic("ann:x").substring(6)));
    }

    @Test
    void anythingElseHasNoUser() {
        assertNull(RemoteUser.of(null));
        assertNull(RemoteUser.of("Bearer abc"));
        assertNull(RemoteUser.of("Basic !!!"));
        assertNull(RemoteUser.of(basic("no colon")));
    }
}
