package dev.sluice.kubernetes;

import java.util.Set;

/**
 * One line of a watch: {@code {"type": "ADDED|MODIFIED|DELETED|BOOKMARK|ERROR", "object": {...}}}, the object an
 * EndpointSlice (only its {@code metadata.resourceVersion} for a bookmark) or, for an error, a {@code Status}.
 */
record WatchEvent(String type, JsonObject object) {

    private static final Set<String> TYPES = Set.of("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR");

    static WatchEvent from(JsonObject event) throws JsonException {
        String type = event.requiredString("type");
        if (!TYPES.contains(type)) {
            throw new JsonException("a watch event of type " + type);
        }
        return new WatchEvent(type, event.requiredObject("object"));
    }

    /** The version of the object, which the next watch resumes from. */
    String resourceVersion() throws JsonException {
        return object.requiredObject("metadata").requiredString("resourceVersion");
    }
}
