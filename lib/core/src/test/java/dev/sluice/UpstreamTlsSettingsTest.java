package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link UpstreamTls}: nginx's defaults, and values nginx would refuse refused with the directive's name. */
class UpstreamTlsSettingsTest {

    @Test
    void theDefaultsAreNginxsProxySslDefaults() {
        UpstreamTls tls = UpstreamTls.defaults();
        assertFalse(tls.verify());
        assertFalse(tls.serverName());
        assertTrue(tls.sessionReuse());
        assertTrue(tls.name().isEmpty());
        assertTrue(tls.trustedCertificate().isEmpty());
        assertTrue(tls.certificate().isEmpty());
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), tls.protocols());
    }

    @Test
    void aNameMustBeAHostName() {
        assertEquals("api.internal", UpstreamTls.builder().name("api.internal").build().name().orElseThrow());
        for (String bad : new String[] {"", "a b", "host:443", "http://x", "caf\u00e9"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> UpstreamTls.builder().name(bad));
            assertTrue(e.getMessage().startsWith("proxy_ssl_name must be a host name"), e.getMessage());
        }
    }

    @Test
    void onlyTls12And13MayBeOffered() {
        assertEquals(List.of("TLSv1.3"), UpstreamTls.builder().protocols("TLSv1.3").build().protocols());
        assertEquals("proxy_ssl_protocols: \"TLSv1.1\" is not one of [TLSv1.2, TLSv1.3] (the older ones are broken and"
                + " off in the JDK)", assertThrows(IllegalArgumentException.class,
                        () -> UpstreamTls.builder().protocols("TLSv1.2", "TLSv1.1")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> UpstreamTls.builder().protocols());
    }
}
