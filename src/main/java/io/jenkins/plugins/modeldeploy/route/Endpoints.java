package io.jenkins.plugins.modeldeploy.route;

import java.net.URI;

/**
 * URLs under a base that may carry a path ({@code http://gateway/prefix}): {@link URI#resolve} with an absolute path
 * would drop that path, and with a relative one would drop the last segment without a trailing slash.
 */
public final class Endpoints {
    private Endpoints() {}

    /** {@code base} with {@code segments} appended as path segments, e.g. {@code (http://h/p, "models", "iris")}. */
    public static URI under(URI base, String... segments) {
        StringBuilder url = new StringBuilder(base.toString().replaceAll("/+$", ""));
        for (String segment : segments) {
            url.append('/').append(segment.replaceAll("^/+|/+$", ""));
        }
        return URI.create(url.toString());
    }

    /** The model's stable route under a gateway. */
    public static URI stable(URI gateway, String model) {
        return under(gateway, "models", model);
    }

    /** One version's route under a gateway. */
    public static URI version(URI gateway, String model, String version) {
        return under(gateway, "models", model, version);
    }
}
