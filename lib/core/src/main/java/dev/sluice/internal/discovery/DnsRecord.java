package dev.sluice.internal.discovery;

import java.net.InetAddress;

/**
 * One answer record of a DNS response that Sluice uses: an address (A, AAAA) or a service location (SRV), with its
 * time to live in seconds.
 *
 * @param name the record's owner name, lower case, without the final dot
 * @param type {@link DnsMessage#A}, {@link DnsMessage#AAAA} or {@link DnsMessage#SRV}
 * @param ttlSeconds how long the record may be cached
 * @param address the address of an A or AAAA record (an IPv4-mapped AAAA address is the IPv4 address, as the JDK
 *     makes it); null for SRV
 * @param priority an SRV record's priority (lower first); 0 otherwise
 * @param weight an SRV record's weight; 0 otherwise
 * @param port an SRV record's port; 0 otherwise
 * @param target an SRV record's target host, lower case, without the final dot; null otherwise
 */
public record DnsRecord(String name, int type, long ttlSeconds, InetAddress address, int priority, int weight,
        int port, String target) {
}
