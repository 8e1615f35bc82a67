// Signature-only (offline build, never packaged): org.kohsuke.stapler:json-lib 2.4-jenkins-15 (the version
// jenkins-core 2.541.3 manages, bom/pom.xml).
// Checked against jenkinsci/json-lib tag json-lib-2.4-jenkins-15, src/main/java/net/sf/json/JSONObject.java.
// Declares only the members the adapters and their tests use, with the real modifiers, generics and throws.
// Supertypes AbstractJSON, JSON and Comparable omitted; a Map in insertion order, as the real one (a ListOrderedMap),
// so tests can build the form's JSON. The real put/element convert values to JSON types; here they are stored as given.
package net.sf.json;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

public final class JSONObject implements Map<String, Object> {
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public JSONObject() {}

    public JSONObject element(String key, Object value) {
        properties.put(key, value);
        return this;
    }

    public boolean has(String key) {
        return properties.containsKey(key);
    }

    public Object opt(String key) {
        return properties.get(key);
    }

    @Override
    public Object get(Object key) {
        return properties.get(key);
    }

    public Object get(String key) {
        return properties.get(key);
    }

    @Override
    public Object put(String key, Object value) {
        return properties.put(key, value);
    }

    @Override
    public Set<String> keySet() {
        return properties.keySet();
    }

    @Override
    public int size() {
        return properties.size();
    }

    @Override
    public boolean isEmpty() {
        return properties.isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return properties.containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return properties.containsValue(value);
    }

    @Override
    public Object remove(Object key) {
        return properties.remove(key);
    }

    @Override
    public void putAll(Map<? extends String, ? extends Object> map) {
        properties.putAll(map);
    }

    @Override
    public void clear() {
        properties.clear();
    }

    @Override
    public Collection<Object> values() {
        return properties.values();
    }

    @Override
    public Set<Map.Entry<String, Object>> entrySet() {
        return properties.entrySet();
    }
}
