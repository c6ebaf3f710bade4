package dev.sluice.internal.proxy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** nginx's {@code $remote_user}: the user name of an {@code Authorization: Basic} field, or null. */
final class RemoteUser {

    private RemoteUser() {
    }

    /** The user name {@code authorization} carries, or null when it is absent, not Basic, or not decodable. */
    static String of(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String credentials = new String(decoded, StandardCharsets.UTF_8);
        int colon = credentials.indexOf(':');
        return colon < 0 ? null : credentials.substring(0, colon);
    }
}
