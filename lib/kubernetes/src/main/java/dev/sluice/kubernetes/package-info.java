/**
 * A Kubernetes Service's EndpointSlices as the endpoints of a server line: start with {@link
 * dev.sluice.kubernetes.EndpointSlices}, whose builder makes the {@link dev.sluice.upstream.EndpointSource} to give
 * to {@code UpstreamGroup.Builder.discover}.
 */
package dev.sluice.kubernetes;
