package dev.sluice.kubernetes;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.List;

/**
 * The Kubernetes API server of a test, on WireMock, as far as the EndpointSlices of Service {@code default/web} go:
 * lists answer as scripted, in turn; a watch from a scripted version streams its events and ends (a disconnect, as
 * when a watch times out); a watch from any other version ends at once with no event.
 */
final class ScriptedApiServer {

    static final String PATH = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";
    static final String SELECTOR = "kubernetes.io/service-name=web";

    private final WireMockServer server;
    private int lists;

    ScriptedApiServer(WireMockServer server) {
        this.server = server;
        server.stubFor(watch().atPriority(10).willReturn(json(200, "")));
    }

    /** Where it listens, over http. */
    URI uri() {
        return URI.create(server.baseUrl());
    }

    WireMockServer wireMock() {
        return server;
    }

    /** The next list (the first, or the one after those scripted before) answers {@code body}. */
    ScriptedApiServer list(String body) {
        String state = lists == 0 ? Scenario.STARTED : "listed " + lists;
        lists++;
        server.stubFor(slices().withQueryParam("watch", absent()).inScenario("lists").whenScenarioStateIs(state)
                .willSetStateTo("listed " + lists).willReturn(json(200, body)));
        return this;
    }

    /** A watch from {@code resourceVersion} streams {@code events}, one a line, and ends. */
    ScriptedApiServer watch(String resourceVersion, String... events) {
        return watchAnswers(resourceVersion, json(200, String.join("\n", events) + "\n"));
    }

    /** A watch from {@code resourceVersion} gets {@code response}. */
    ScriptedApiServer watchAnswers(String resourceVersion, ResponseDefinitionBuilder response) {
        server.stubFor(watch().withQueryParam("resourceVersion", equalTo(resourceVersion)).willReturn(response));
        return this;
    }

    /** Any request for the slices (list or watch) of the label selector of Service {@code web}. */
    static MappingBuilder slices() {
        return get(urlPathEqualTo(PATH)).withQueryParam("labelSelector", equalTo(SELECTOR));
    }

    /** A watch as a Kubernetes client asks for one: with bookmarks and a timeout. */
    static MappingBuilder watch() {
        return slices().withQueryParam("watch", equalTo("true")).withQueryParam("allowWatchBookmarks", equalTo("true"))
                .withQueryParam("timeoutSeconds", matching("[1-9][0-9]*"));
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** The requests for lists received so far. */
    List<LoggedRequest> lists() {
        return server.findAll(getRequestedFor(urlPathEqualTo(PATH)).withQueryParam("watch", absent()));
    }

    /** The requests for watches received so far, in order. */
    List<LoggedRequest> watches() {
        return server.findAll(getRequestedFor(urlPathEqualTo(PATH)).withQueryParam("watch", equalTo("true")));
    }

    /** The version each watch received so far resumed from, in order. */
    List<String> watchedFrom() {
        return watches().stream().map(r -> r.queryParameter("resourceVersion").firstValue()).toList();
    }
}
