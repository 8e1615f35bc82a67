package io.jenkins.plugins.modeldeploy.route;

import java.util.List;
import java.util.Map;

/**
 * Whether a live JSON value holds everything a desired one says: every key of a desired object is present with a
 * contained value, lists have the same length and contain element-wise, scalars are equal (numbers by value, since
 * JSON parsing may give an Integer where we rendered a Long). Extra keys in the live value are server defaults or
 * other writers' fields, not a difference.
 */
final class JsonSubset {
    private JsonSubset() {}

    static boolean contains(Object live, Object desired) {
        if (desired instanceof Map<?, ?> want) {
            if (!(live instanceof Map<?, ?> have)) {
                return false;
            }
            for (Map.Entry<?, ?> entry : want.entrySet()) {
                if (entry.getValue() != null && !contains(have.get(entry.getKey()), entry.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired instanceof List<?> want) {
            if (!(live instanceof List<?> have) || have.size() != want.size()) {
                return false;
            }
            for (int i = 0; i < want.size(); i++) {
                if (!contains(have.get(i), want.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (desired instanceof Number want && live instanceof Number have) {
            return want.doubleValue() == have.doubleValue();
        }
        return desired.equals(live);
    }
}
