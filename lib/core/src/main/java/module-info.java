/**
 * Sluice: an embeddable reverse proxy with nginx's upstream semantics.
 *
 * <p>{@code dev.sluice.upstream} holds upstream groups and balancing as pure logic.
 */
module dev.sluice {
    requires org.slf4j;

    exports dev.sluice;
    exports dev.sluice.observe;
    exports dev.sluice.upstream;
}
