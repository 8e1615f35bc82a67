package io.jenkins.plugins.modeldeploy.model;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads one YAML document into a Jackson tree the way a user means it: aliases ({@code *t}) are the value of their
 * anchor ({@code &t}), not its name (Jackson's parser hands an alias over as a string holding the anchor's name); a
 * second document is an error, not ignored; the file is refused when larger than {@link #MAX_BYTES}, checked before
 * reading and again while reading (the size can change in between), so a 50 MB scalar is never scanned. Errors give
 * the line and column; the parser's text names the construct (at most a character of the file), never a value.
 */
final class YamlDocument {
    /** A model.yaml is a few kilobytes; this leaves room for long descriptions and many globs. */
    static final int MAX_BYTES = 1 << 20;
    /** Aliases to a mapping or list, as SnakeYAML counts them. */
    static final int MAX_ALIASES = 50;
    /** Values once aliases are expanded: stops "billion laughs" (lists of aliases of lists of aliases …). */
    static final int MAX_VALUES = 100_000;
    /** Nesting deeper than any model.yaml needs; bounds the recursion of {@link #value}. */
    static final int MAX_DEPTH = 64;

    private static final YAMLFactory SCALARS = new YAMLFactory();
    private static final java.util.regex.Pattern SPECIAL_FLOAT =
            java.util.regex.Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

    /** The document could not be read as the user meant it; the message names the position, never the content. */
    static final class YamlException extends Exception {
        YamlException(String message) {
            super(message);
        }
    }

    private static LoaderOptions options() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_BYTES); // characters; Limited counts bytes
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setAllowDuplicateKeys(false);
        return options;
    }

    private int values;

    private YamlDocument() {}

    /** The single document of {@code file} (a regular file, not followed if a link); null when it is empty. */
    static JsonNode read(Path file) throws YamlException, IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw tooLarge(size);
        }
        try (Reader in = new InputStreamReader(
                new Limited(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)), StandardCharsets.UTF_8)) {
            return new YamlDocument().document(in);
        } catch (Limited.TooLarge e) {
            throw tooLarge(MAX_BYTES + 1L);
        }
    }

    /** The single document of {@code text} (an option value such as {@code --set serving.workers=2}). */
    static JsonNode read(String text) throws YamlException, IOException {
        if (text.length() > MAX_BYTES) {
            throw tooLarge(text.length());
        }
        return new YamlDocument().document(new StringReader(text));
    }

    private static YamlException tooLarge(long size) {
        String was = size > MAX_BYTES + 1L ? " (" + size + " bytes)" : "";
        return new YamlException("larger than " + MAX_BYTES + " bytes" + was
                + ": a model.yaml is read whole, keep large content in files of the model");
    }

    /**
     * SnakeYAML's composer builds the node graph (an alias is the anchored node itself, so it is resolved, and
     * {@link LoaderOptions} bound aliases, nesting and size); the graph becomes a Jackson tree here.
     */
    private JsonNode document(Reader in) throws YamlException, IOException {
        try {
            Iterator<Node> documents = new Yaml(options()).composeAll(in).iterator();
            if (!documents.hasNext()) {
                return null;
            }
            Node root = documents.next();
            if (documents.hasNext()) {
                Node second = documents.next();
                throw new YamlException(at(second == null ? null : second.getStartMark())
                        + "more than one YAML document (a second one starts here, after ---); model.yaml holds one");
            }
            return root == null ? null : value(root, 0);
        } catch (MarkedYAMLException e) {
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            return fail(at(e.getProblemMark()) + e.getProblem() + context);
        } catch (YAMLException e) {
            // Limits of LoaderOptions (aliases, nesting, size) carry no mark; their text quotes no content.
            if (e.getCause() instanceof Limited.TooLarge) {
                throw tooLarge(MAX_BYTES + 1L);
            }
            return fail(e.getMessage());
        }
    }

    private static JsonNode fail(String message) throws YamlException {
        throw new YamlException(message);
    }

    private JsonNode value(Node node, int depth) throws YamlException, IOException {
        if (++values > MAX_VALUES) {
            throw new YamlException(at(node.getStartMark()) + "more than " + MAX_VALUES
                    + " values once aliases are expanded (anchors of aliases multiply); write the values out");
        }
        if (depth > MAX_DEPTH) {
            throw new YamlException(at(node.getStartMark()) + "nested deeper than " + MAX_DEPTH + " levels");
        }
        if (node instanceof MappingNode mapping) {
            ObjectNode object = JsonNodeFactory.instance.objectNode();
            List<JsonNode> merged = new ArrayList<>();
            for (NodeTuple tuple : mapping.getValue()) {
                Node key = tuple.getKeyNode();
                if (key.getTag().equals(Tag.MERGE)) { // YAML 1.1 merge key: <<: *defaults
                    merged.add(value(tuple.getValueNode(), depth + 1));
                    continue;
                }
                if (!(key instanceof ScalarNode scalarKey)) {
                    throw new YamlException(at(key.getStartMark()) + "a field name must be a plain value");
                }
                String field = scalarKey.getValue();
                if (object.has(field)) {
                    throw new YamlException(at(key.getStartMark()) + "Duplicate field '" + field + "'");
                }
                object.set(field, value(tuple.getValueNode(), depth + 1));
            }
            for (JsonNode each : merged) {
                merge(object, each, mapping.getStartMark());
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = JsonNodeFactory.instance.arrayNode();
            for (Node item : sequence.getValue()) {
                array.add(value(item, depth + 1));
            }
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        if (scalar.isPlain()
                && (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT) || tag.equals(Tag.BOOL) || tag.equals(Tag.NULL))) {
            return plain(scalar);
        }
        return JsonNodeFactory.instance.textNode(scalar.getValue());
    }

    /**
     * A plain scalar SnakeYAML resolved as a number, boolean or null, typed as Jackson's YAML parser types it (the
     * loader's checks were written against those types: {@code 0x1F} an int, {@code 1:20} a string).
     */
    private static JsonNode plain(ScalarNode scalar) throws IOException {
        String text = scalar.getValue();
        if (scalar.getTag().equals(Tag.FLOAT) && SPECIAL_FLOAT.matcher(text).matches()) {
            // .nan, .inf, -.Inf: YAML 1.1 floats Jackson's number parser does not take in every spelling
            return JsonNodeFactory.instance.numberNode(
                    text.toLowerCase(java.util.Locale.ROOT).contains("nan")
                            ? Double.NaN
                            : text.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        }
        try (YAMLParser parser = (YAMLParser) SCALARS.createParser(scalar.getValue())) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                return JsonNodeFactory.instance.nullNode();
            }
            return switch (token) {
                case VALUE_NUMBER_INT ->
                    switch (parser.getNumberType()) {
                        case INT -> JsonNodeFactory.instance.numberNode(parser.getIntValue());
                        case LONG -> JsonNodeFactory.instance.numberNode(parser.getLongValue());
                        default -> JsonNodeFactory.instance.numberNode(parser.getBigIntegerValue());
                    };
                case VALUE_NUMBER_FLOAT -> JsonNodeFactory.instance.numberNode(parser.getDoubleValue());
                case VALUE_TRUE, VALUE_FALSE -> JsonNodeFactory.instance.booleanNode(parser.getBooleanValue());
                case VALUE_NULL -> JsonNodeFactory.instance.nullNode();
                default -> JsonNodeFactory.instance.textNode(scalar.getValue());
            };
        } catch (com.fasterxml.jackson.core.JsonProcessingException notANumberToJackson) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    /** Fields of the merged mappings that the mapping does not set itself. */
    private static void merge(ObjectNode into, JsonNode merged, Mark where) throws YamlException {
        if (merged.isObject()) {
            merged.fields().forEachRemaining(e -> {
                if (!into.has(e.getKey())) {
                    into.set(e.getKey(), e.getValue());
                }
            });
        } else if (merged.isArray()) {
            for (JsonNode each : merged) {
                merge(into, each, where);
            }
        } else {
            throw new YamlException(at(where) + "a merge key (<<) takes a mapping or a list of mappings");
        }
    }

    private static String at(Mark mark) {
        return mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }

    /** Counts the bytes read and fails past {@link #MAX_BYTES}, whatever {@code Files.size} said before. */
    private static final class Limited extends FilterInputStream {
        static final class TooLarge extends IOException {
            TooLarge() {
                super("larger than " + MAX_BYTES + " bytes");
            }
        }

        private long count;

        Limited(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++count > MAX_BYTES) {
                throw new TooLarge();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0 && (count += n) > MAX_BYTES) {
                throw new TooLarge();
            }
            return n;
        }
    }
}
