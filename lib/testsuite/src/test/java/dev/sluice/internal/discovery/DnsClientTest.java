package dev.sluice.internal.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.ScriptedDns;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The resolver's DNS client against DNS servers on loopback: records, aliases, SRV, truncation, failing servers. */
class DnsClientTest {

    private final List<ScriptedDns> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(ScriptedDns::close);
    }

    @Test
    void addressRecordsComeWithTheirTimeToLive() throws Exception {
        ScriptedDns dns = server();
        dns.address("api.test", 30, "10.0.0.1", "10.0.0.2", "fd00::1");

        DnsMessage v4 = client(dns).query("api.test", DnsMessage.A);
        DnsMessage v6 = client(dns).query("API.test.", DnsMessage.AAAA);

        assertEquals(List.of("10.0.0.1/30", "10.0.0.2/30"), addresses(v4));
        assertEquals(List.of("fd00:0:0:0:0:0:0:1/30"), addresses(v6));
    }

    @Test
    void anAliasIsFollowedToTheAddressesOfItsTarget() throws Exception {
        ScriptedDns dns = server();
        dns.address("api.test", 7, "10.0.0.9").cname("www.test", 60, "api.test");

        assertEquals(List.of("10.0.0.9/7"), addresses(client(dns).query("www.test", DnsMessage.A)));
    }

    @Test
    void aServiceRecordNamesItsTargetsWithTheAddressesTheServerAdds() throws Exception {
        ScriptedDns dns = server();
        dns.srv("_http._tcp.svc.test", 10, 1, 5, 8080, "a.svc.test")
                .srv("_http._tcp.svc.test", 10, 2, 1, 8081, "b.svc.test")
                .address("a.svc.test", 20, "10.1.0.1");

        List<DnsRecord> records = client(dns).query("_http._tcp.svc.test", DnsMessage.SRV).records();

        assertEquals(3, records.size(), records.toString());
        DnsRecord first = records.get(0);
        assertEquals(List.of(DnsMessage.SRV, 1, 5, 8080, "a.svc.test", 10L),
                List.of(first.type(), first.priority(), first.weight(), first.port(), first.target(), first.ttlSeconds()));
        assertEquals("b.svc.test", records.get(1).target());
        assertEquals("a.svc.test", records.get(2).name());
        assertEquals(InetAddress.getByName("10.1.0.1"), records.get(2).address());
    }

    @Test
    void aNameThatDoesNotExistIsAnAnswerWithNoRecords() throws Exception {
        ScriptedDns dns = server();

        DnsMessage answer = client(dns).query("nowhere.test", DnsMessage.A);

        assertEquals(DnsMessage.NXDOMAIN, answer.rcode());
        assertTrue(answer.records().isEmpty());
    }

    @Test
    void aTruncatedAnswerIsAskedForAgainOverTcp() throws Exception {
        ScriptedDns dns = server();
        dns.address("big.test", 5, "10.0.0.1").truncateOverUdp("big.test", true);

        DnsMessage answer = client(dns).query("big.test", DnsMessage.A);

        assertEquals(List.of("10.0.0.1/5"), addresses(answer));
        assertEquals(1, dns.udpQueries());
        assertEquals(1, dns.tcpQueries());
    }

    @Test
    void aServerThatFailsOrSaysNothingGivesWayToTheNext() throws Exception {
        ScriptedDns failing = server();
        ScriptedDns mute = server();
        ScriptedDns good = server();
        failing.answerCode("api.test", 2);
        mute.silent("api.test", true);
        good.address("api.test", 5, "10.0.0.3");

        DnsMessage answer = new DnsClient(List.of(failing.address(), mute.address(), good.address()),
                Duration.ofMillis(300)).query("api.test", DnsMessage.A);

        assertEquals(List.of("10.0.0.3/5"), addresses(answer));
        assertEquals(1, mute.udpQueries());
    }

    @Test
    void whenNoServerAnswersTheErrorNamesEach() throws Exception {
        ScriptedDns failing = server();
        ScriptedDns mute = server();
        failing.answerCode("api.test", 2);
        mute.silent("api.test", true);
        DnsClient client = new DnsClient(List.of(failing.address(), mute.address()), Duration.ofMillis(200));

        IOException e = assertThrows(IOException.class, () -> client.query("api.test", DnsMessage.A));

        assertTrue(e.getMessage().startsWith("no DNS server gave the A records of api.test ("), e.getMessage());
        assertTrue(e.getMessage().contains(hostPort(failing) + " answered SERVFAIL"), e.getMessage());
        assertTrue(e.getMessage().contains(hostPort(mute) + ": no answer within 200 ms"), e.getMessage());
    }

    @Test
    void aServerThatRefusesAaaaQueriesStillGivesItsIpv4Addresses() throws Exception {
        ScriptedDns dns = server();
        dns.address("api.test", 60, "10.0.0.1").answerCode("api.test", DnsMessage.AAAA, DnsMessage.REFUSED);
        DnsResolver resolver = new DnsResolver(List.of(dns.address()), Duration.ofSeconds(5), null);

        assertEquals(List.of(InetAddress.getByName("10.0.0.1")), resolver.lookUp("api.test").addresses());
        dns.answerCode("api.test", DnsMessage.A, DnsMessage.REFUSED);
        IOException both = assertThrows(IOException.class, () -> resolver.lookUp("api.test"));
        assertTrue(both.getMessage().contains("answered REFUSED"), both.getMessage());
    }

    private static String hostPort(ScriptedDns dns) {
        return dns.address().getAddress().getHostAddress() + ":" + dns.address().getPort();
    }

    private ScriptedDns server() throws IOException {
        ScriptedDns dns = ScriptedDns.start();
        servers.add(dns);
        return dns;
    }

    private static DnsClient client(ScriptedDns dns) {
        return new DnsClient(List.of(dns.address()), Duration.ofSeconds(5));
    }

    private static List<String> addresses(DnsMessage answer) {
        List<String> out = new ArrayList<>();
        for (DnsRecord r : answer.records()) {
            out.add(r.address().getHostAddress() + "/" + r.ttlSeconds());
        }
        return out;
    }
}
