package org.kohsuke.stapler;

import java.util.Map;
import java.util.function.Supplier;

/** For offline tests: runs code as if serving a request, with {@code headers} as the response's headers. */
public final class OfflineRequests {
    private OfflineRequests() {}

    public static <T> T serving(Map<String, String> headers, Supplier<T> work) {
        Stapler.CURRENT_RESPONSE.set(headers::put);
        try {
            return work.get();
        } finally {
            Stapler.CURRENT_RESPONSE.remove();
        }
    }
}
