package dev.sluice.kubernetes;

import java.util.ArrayList;
import java.util.List;

/**
 * An EndpointSlice as the API server writes it, built in a test: {@code SliceJson.slice("web-a").rv("101")
 * .port("http", 8080).ready("10.0.0.1").json()}. Also the watch events and list documents that carry slices.
 */
final class SliceJson {

    private final String name;
    private String resourceVersion = "1";
    private String addressType = "IPv4";
    private final List<String> ports = new ArrayList<>();
    private final List<String> endpoints = new ArrayList<>();

    private SliceJson(String name) {
        this.name = name;
    }

    /** A slice of Service {@code web} in namespace {@code default}, of IPv4 addresses. */
    static SliceJson slice(String name) {
        return new SliceJson(name);
    }

    SliceJson rv(String resourceVersion) {
        this.resourceVersion = resourceVersion;
        return this;
    }

    SliceJson addressType(String addressType) {
        this.addressType = addressType;
        return this;
    }

    SliceJson port(String portName, int number) {
        ports.add("{\"name\":\"" + portName + "\",\"protocol\":\"TCP\",\"port\":" + number + "}");
        return this;
    }

    /** A port as written verbatim, e.g. one of another protocol. */
    SliceJson rawPort(String json) {
        ports.add(json);
        return this;
    }

    SliceJson ready(String address) {
        return endpoint(address, "{\"ready\":true,\"serving\":true,\"terminating\":false}");
    }

    /** Terminating and still serving, as a pod in its grace period that passes its readiness probe. */
    SliceJson terminating(String address) {
        return endpoint(address, "{\"ready\":false,\"serving\":true,\"terminating\":true}");
    }

    SliceJson notReady(String address) {
        return endpoint(address, "{\"ready\":false,\"serving\":false,\"terminating\":false}");
    }

    /** An endpoint with conditions {@code conditions} (an object, or {@code null} for none). */
    SliceJson endpoint(String address, String conditions) {
        endpoints.add("{\"addresses\":[\"" + address + "\"]" + (conditions == null ? "" : ",\"conditions\":"
                + conditions) + "}");
        return this;
    }

    /** An endpoint as written verbatim. */
    SliceJson rawEndpoint(String json) {
        endpoints.add(json);
        return this;
    }

    String json() {
        return "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"default\",\"resourceVersion\":\"" + resourceVersion + "\",\"labels\":"
                + "{\"kubernetes.io/service-name\":\"web\"}},\"addressType\":\"" + addressType + "\",\"endpoints\":"
                + "[" + String.join(",", endpoints) + "],\"ports\":[" + String.join(",", ports) + "]}";
    }

    static String list(String resourceVersion, SliceJson... slices) {
        List<String> items = new ArrayList<>();
        for (SliceJson slice : slices) {
            items.add(slice.json());
        }
        return "{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":"
                + "{\"resourceVersion\":\"" + resourceVersion + "\"},\"items\":[" + String.join(",", items) + "]}";
    }

    static String added(SliceJson slice) {
        return event("ADDED", slice.json());
    }

    static String modified(SliceJson slice) {
        return event("MODIFIED", slice.json());
    }

    static String deleted(SliceJson slice) {
        return event("DELETED", slice.json());
    }

    static String bookmark(String resourceVersion) {
        return event("BOOKMARK", "{\"kind\":\"EndpointSlice\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":"
                + "{\"resourceVersion\":\"" + resourceVersion + "\"}}");
    }

    /** A {@code Status} with {@code code}, as a watch's {@code ERROR} event or an error response carries it. */
    static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
                + message + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    }

    static String error(int code, String reason, String message) {
        return event("ERROR", status(code, reason, message));
    }

    private static String event(String type, String object) {
        return "{\"type\":\"" + type + "\",\"object\":" + object + "}";
    }
}
