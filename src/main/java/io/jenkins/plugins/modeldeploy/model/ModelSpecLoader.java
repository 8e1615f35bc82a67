package io.jenkins.plugins.modeldeploy.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads {@code model.yaml} from a model directory, applies option overrides and validates the result, reporting every
 * problem at once with the field path and the reason.
 */
public final class ModelSpecLoader {
    public static final String FILE_NAME = "model.yaml";
    public static final List<String> DEFAULT_INCLUDE = List.of("**");
    public static final List<String> DEFAULT_DATA = List.of(
            "**.pkl",
            "**.pickle",
            "**.joblib",
            "**.rds",
            "**.rda",
            "**.RData",
            "**.onnx",
            "**.npy",
            "**.npz",
            "**.parquet",
            "**.csv",
            "**.h5");
    public static final List<String> DEFAULT_SAMPLES = List.of("samples/*.json");
    /** Never part of a model: version control, caches, and the file tree model-deploy itself writes. */
    public static final List<String> ALWAYS_EXCLUDED =
            List.of(".git/**", "**/__pycache__/**", "__pycache__/**", "**.pyc", ".model-deploy/**");

    static final Set<String> FIELDS = Set.of(
            "name",
            "description",
            "runtime",
            "entrypoint",
            "include",
            "exclude",
            "data",
            "samples",
            "dependencies",
            "resources",
            "slo",
            "env",
            "signature",
            "serving",
            "route");
    static final Set<String> RESOURCES_FIELDS = Set.of("requests", "limits");
    static final Set<String> CPU_MEMORY_FIELDS = Set.of("cpu", "memory");
    static final Set<String> SLO_FIELDS = Set.of("rps", "p99Ms", "maxErrorRate");
    static final Set<String> SIGNATURE_FIELDS = Set.of("format", "inputs");
    static final Set<String> INPUT_FIELDS = Set.of("name", "type");
    static final Set<String> SERVING_FIELDS = Set.of("workers", "maxBodyBytes");

    /** A DNS-1123 label that starts with a letter, so that {@code name-version} is a valid Service name too. */
    static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

    private static final Pattern PYTHON_ENTRYPOINT =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*):([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern R_ENTRYPOINT = Pattern.compile("([^:]+\\.[Rr])(?::([A-Za-z.][A-Za-z0-9._]*))?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final long MAX_BODY_LIMIT = 1L << 30;
    private static final int MAX_WORKERS = 64;

    private final ObjectMapper yaml;
    private final ObjectMapper json = new ObjectMapper();

    public ModelSpecLoader() {
        YAMLFactory factory = new YAMLFactory();
        factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        this.yaml = new ObjectMapper(factory);
    }

    public ModelSpec load(Path directory) throws InvalidModelSpecException {
        return load(directory, List.of());
    }

    public ModelSpec load(Path directory, List<SpecOverride> overrides) throws InvalidModelSpecException {
        Path dir = directory.toAbsolutePath().normalize();
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isDirectory(dir)) {
            throw failure(dir, new SpecProblem(dir.toString(), "", "model directory does not exist"));
        }
        if (!Files.isRegularFile(file)) {
            throw failure(dir, new SpecProblem(FILE_NAME, "", "file not found in " + dir));
        }
        try {
            for (String problem : ModelLinks.problems(dir)) { // never followed: refused before anything is read
                throw failure(dir, new SpecProblem(problem.substring(0, problem.indexOf(' ')), "", problem));
            }
        } catch (IOException e) {
            throw failure(dir, new SpecProblem(dir.toString(), "", "cannot read: " + e.getMessage()));
        }
        JsonNode root;
        try {
            root = yaml.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw failure(dir, new SpecProblem(FILE_NAME, "", yamlError(e)));
        } catch (IOException e) {
            throw failure(dir, new SpecProblem(FILE_NAME, "", "cannot read: " + e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw failure(dir, new SpecProblem(FILE_NAME, "", "file is empty"));
        }
        if (!root.isObject()) {
            throw failure(dir, new SpecProblem(FILE_NAME, "", "must be a mapping of fields, was " + kind(root)));
        }
        Validation validation = new Validation(dir, (ObjectNode) root);
        validation.applyOverrides(overrides);
        ModelSpec spec = validation.build();
        if (!validation.problems.isEmpty()) {
            throw new InvalidModelSpecException(dir, validation.problems);
        }
        return spec;
    }

    /** A YAML syntax error on one line: where, what was wrong, and in which construct. */
    private static String yamlError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yamlError && yamlError.getProblemMark() != null) {
            String context = yamlError.getContext() == null ? "" : " (" + yamlError.getContext() + ")";
            return "line " + (yamlError.getProblemMark().getLine() + 1) + ", column "
                    + (yamlError.getProblemMark().getColumn() + 1) + ": " + yamlError.getProblem() + context;
        }
        JsonLocation where = e.getLocation();
        String at = where == null ? "" : "line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ";
        return at + e.getOriginalMessage().lines().findFirst().orElse("invalid YAML");
    }

    private static InvalidModelSpecException failure(Path dir, SpecProblem problem) {
        return new InvalidModelSpecException(dir, List.of(problem));
    }

    static String kind(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "empty";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isBoolean()) {
            return "boolean " + node.asText();
        }
        if (node.isNumber()) {
            return "number " + node.asText();
        }
        return "string \"" + node.asText() + "\"";
    }

    /** One validation pass: collects problems instead of stopping at the first. */
    private final class Validation {
        private final Path dir;
        private final ObjectNode root;
        private final Map<String, String> overriddenBy = new HashMap<>();
        private final List<SpecProblem> problems = new ArrayList<>();

        Validation(Path dir, ObjectNode root) {
            this.dir = dir;
            this.root = root;
        }

        void applyOverrides(List<SpecOverride> overrides) {
            for (SpecOverride override : overrides) {
                String[] path = override.field().split("\\.", -1);
                if (override.field().isBlank() || Stream.of(path).anyMatch(String::isEmpty)) {
                    problems.add(new SpecProblem(override.source(), "", "field path must not be empty"));
                    continue;
                }
                JsonNode value;
                try {
                    value = yaml.readTree(override.value().isEmpty() ? "''" : override.value());
                } catch (JsonProcessingException e) {
                    problems.add(
                            new SpecProblem(override.source(), "", "cannot read value: " + e.getOriginalMessage()));
                    continue;
                }
                ObjectNode parent = root;
                boolean reachable = true;
                for (int i = 0; i < path.length - 1 && reachable; i++) {
                    JsonNode child = parent.get(path[i]);
                    if (child == null || child.isNull()) {
                        parent = parent.putObject(path[i]);
                    } else if (child.isObject()) {
                        parent = (ObjectNode) child;
                    } else {
                        problems.add(new SpecProblem(
                                override.source(),
                                "",
                                String.join(".", List.of(path).subList(0, i + 1)) + " is not a mapping"));
                        reachable = false;
                    }
                }
                if (reachable) {
                    parent.set(path[path.length - 1], value == null ? JsonNodeFactory.instance.nullNode() : value);
                    overriddenBy.put(override.field(), override.source());
                }
            }
        }

        void problem(String field, String reason) {
            String source = FILE_NAME;
            for (String candidate = field; !candidate.isEmpty(); ) {
                if (overriddenBy.containsKey(candidate)) {
                    source = overriddenBy.get(candidate);
                    break;
                }
                int dot = candidate.lastIndexOf('.');
                candidate = dot < 0 ? "" : candidate.substring(0, dot);
            }
            problems.add(new SpecProblem(source, field, reason));
        }

        ModelSpec build() {
            for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    problem(name, "unknown field (known: " + String.join(", ", new TreeSet<>(FIELDS)) + ")");
                }
            }
            String name = name();
            String description = optionalString("description");
            Optional<ModelRuntime> runtime = runtime();
            String entrypoint = runtime.map(this::entrypoint).orElseGet(() -> requiredString("entrypoint"));
            List<String> include = globs("include", DEFAULT_INCLUDE);
            List<String> exclude = globs("exclude", List.of());
            List<String> data = globs("data", DEFAULT_DATA);
            List<Path> samples = samples();
            Optional<Path> dependencies = dependencies();
            ResourceRequirements resources = resources();
            Slo slo = slo();
            Map<String, String> env = env();
            Optional<Signature> signature = signature();
            Serving serving = serving();
            RouteSettings route = RouteSettings.parse(root.get("route"), this::problem);
            return new ModelSpec(
                    dir,
                    name,
                    description,
                    runtime.orElse(null),
                    entrypoint,
                    include,
                    exclude,
                    data,
                    samples,
                    dependencies,
                    resources,
                    slo,
                    env,
                    signature,
                    serving,
                    route);
        }

        private String name() {
            String name = requiredString("name");
            if (name == null) {
                return null;
            }
            if (name.length() > 63) {
                problem("name", "must be at most 63 characters, was " + name.length());
            } else if (!NAME.matcher(name).matches()) {
                problem(
                        "name",
                        "must be a DNS-1123 label starting with a letter (lower-case letters, digits and"
                                + " '-', ending with a letter or digit), was \"" + name + "\"");
            }
            return name;
        }

        private Optional<ModelRuntime> runtime() {
            String value = requiredString("runtime");
            if (value == null) {
                return Optional.empty();
            }
            Optional<ModelRuntime> runtime = ModelRuntime.fromId(value);
            if (runtime.isEmpty()) {
                problem("runtime", "must be python or r, was \"" + value + "\"");
            }
            return runtime;
        }

        private String entrypoint(ModelRuntime runtime) {
            String entrypoint = requiredString("entrypoint");
            if (entrypoint == null) {
                return null;
            }
            if (runtime == ModelRuntime.PYTHON) {
                var matcher = PYTHON_ENTRYPOINT.matcher(entrypoint);
                if (!matcher.matches()) {
                    problem(
                            "entrypoint",
                            "must be module:function or module:Class for the python runtime, was \"" + entrypoint
                                    + "\"");
                    return entrypoint;
                }
                String modulePath = matcher.group(1).replace('.', '/');
                if (!Files.isRegularFile(dir.resolve(modulePath + ".py"))
                        && !Files.isRegularFile(dir.resolve(modulePath).resolve("__init__.py"))) {
                    problem(
                            "entrypoint",
                            "module " + matcher.group(1) + " not found: no " + modulePath + ".py in " + dir);
                }
            } else {
                var matcher = R_ENTRYPOINT.matcher(entrypoint);
                if (!matcher.matches()) {
                    problem(
                            "entrypoint",
                            "must be FILE.R or FILE.R:function for the r runtime, was \"" + entrypoint + "\"");
                    return entrypoint;
                }
                Path file = dir.resolve(matcher.group(1)).normalize();
                if (!file.startsWith(dir)) {
                    problem("entrypoint", "file " + matcher.group(1) + " is outside the model directory");
                } else if (!Files.isRegularFile(file)) {
                    problem("entrypoint", "file " + matcher.group(1) + " not found in " + dir);
                }
            }
            return entrypoint;
        }

        private List<String> globs(String field, List<String> defaults) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return defaults;
            }
            List<String> globs = stringList(field, node);
            for (int i = 0; i < globs.size(); i++) {
                String glob = globs.get(i);
                if (glob.startsWith("/") || glob.contains("..")) {
                    problem(field + "[" + i + "]", "must be relative to the model directory, was \"" + glob + "\"");
                    continue;
                }
                try {
                    dir.getFileSystem().getPathMatcher("glob:" + glob);
                } catch (PatternSyntaxException e) {
                    problem(field + "[" + i + "]", "invalid glob \"" + glob + "\": " + e.getDescription());
                }
            }
            return globs;
        }

        private List<Path> samples() {
            JsonNode node = root.get("samples");
            boolean explicit = node != null && !node.isNull();
            List<String> patterns = explicit ? globs("samples", DEFAULT_SAMPLES) : DEFAULT_SAMPLES;
            List<Path> samples = new ArrayList<>();
            for (int i = 0; i < patterns.size(); i++) {
                String pattern = patterns.get(i);
                List<Path> matches = matching(pattern);
                if (matches.isEmpty() && explicit) {
                    problem("samples[" + i + "]", "no file matches \"" + pattern + "\"");
                }
                for (Path sample : matches) {
                    String error = sampleError(dir.resolve(sample));
                    if (error != null) {
                        problem("samples[" + i + "]", sample + ": " + error);
                    } else if (!samples.contains(sample)) {
                        samples.add(sample);
                    }
                }
            }
            return samples;
        }

        private List<Path> matching(String glob) {
            PathMatcher matcher;
            try {
                matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
            } catch (PatternSyntaxException e) {
                return List.of(); // reported by globs()
            }
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile)
                        .map(dir::relativize)
                        .filter(matcher::matches)
                        .sorted()
                        .toList();
            } catch (IOException e) {
                problem("samples", "cannot list " + dir + ": " + e.getMessage());
                return List.of();
            }
        }

        private String sampleError(Path file) {
            JsonNode sample;
            try {
                sample = json.readTree(file.toFile());
            } catch (JsonProcessingException e) {
                JsonLocation where = e.getLocation();
                return "malformed JSON"
                        + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr())
                        + ": " + e.getOriginalMessage();
            } catch (IOException e) {
                return "cannot read: " + e.getMessage();
            }
            if (sample == null || !sample.isObject() || !sample.has("instances")) {
                return "must be a JSON object with an \"instances\" array";
            }
            JsonNode instances = sample.get("instances");
            if (!instances.isArray() || instances.isEmpty()) {
                return "\"instances\" must be a non-empty array";
            }
            return null;
        }

        private Optional<Path> dependencies() {
            JsonNode node = root.get("dependencies");
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            if (!node.isTextual() || node.asText().isBlank()) {
                problem("dependencies", "must be a directory path relative to the model directory, was " + kind(node));
                return Optional.empty();
            }
            Path relative = Path.of(node.asText()).normalize();
            if (relative.isAbsolute() || relative.startsWith("..")) {
                problem("dependencies", "must be inside the model directory, was \"" + node.asText() + "\"");
                return Optional.empty();
            }
            if (!Files.isDirectory(dir.resolve(relative))) {
                problem("dependencies", "directory " + node.asText() + " not found in " + dir);
                return Optional.empty();
            }
            return Optional.of(relative);
        }

        private ResourceRequirements resources() {
            JsonNode node = root.get("resources");
            ResourceRequirements d = ResourceRequirements.DEFAULT;
            if (node == null || node.isNull()) {
                return d;
            }
            if (!mapping("resources", node, RESOURCES_FIELDS)) {
                return d;
            }
            JsonNode requests = node.path("requests");
            JsonNode limits = node.path("limits");
            mapping("resources.requests", requests, CPU_MEMORY_FIELDS);
            mapping("resources.limits", limits, CPU_MEMORY_FIELDS);
            String cpuRequest = quantity("resources.requests.cpu", requests.get("cpu"), d.cpuRequest());
            String memoryRequest = quantity("resources.requests.memory", requests.get("memory"), d.memoryRequest());
            String cpuLimit = quantity("resources.limits.cpu", limits.get("cpu"), d.cpuLimit());
            String memoryLimit = quantity("resources.limits.memory", limits.get("memory"), d.memoryLimit());
            notBelow("resources.limits.cpu", cpuLimit, "resources.requests.cpu", cpuRequest);
            notBelow("resources.limits.memory", memoryLimit, "resources.requests.memory", memoryRequest);
            return new ResourceRequirements(cpuRequest, memoryRequest, cpuLimit, memoryLimit);
        }

        private String quantity(String field, JsonNode node, String fallback) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isTextual() && !node.isNumber()) {
                problem(field, "must be a Kubernetes quantity such as 500m or 512Mi, was " + kind(node));
                return fallback;
            }
            String text = node.asText();
            BigDecimal amount = amount(text);
            if (amount == null) {
                problem(field, "must be a Kubernetes quantity such as 500m or 512Mi, was \"" + text + "\"");
                return fallback;
            }
            if (amount.signum() <= 0) {
                problem(field, "must be > 0, was " + text);
            }
            return text;
        }

        private void notBelow(String limitField, String limit, String requestField, String request) {
            BigDecimal l = limit == null ? null : amount(limit);
            BigDecimal r = request == null ? null : amount(request);
            if (l != null && r != null && l.compareTo(r) < 0) {
                problem(limitField, "must be at least " + requestField + " (" + request + "), was " + limit);
            }
        }

        private BigDecimal amount(String text) {
            if (!text.matches("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?")) {
                return null;
            }
            return Quantity.getAmountInBytes(new Quantity(text));
        }

        private Slo slo() {
            JsonNode node = root.get("slo");
            Slo d = Slo.DEFAULT;
            if (node == null || node.isNull() || !mapping("slo", node, SLO_FIELDS)) {
                return d;
            }
            double rps = number("slo.rps", node.get("rps"), d.rps());
            double p99 = number("slo.p99Ms", node.get("p99Ms"), d.p99Ms());
            double maxErrorRate = number("slo.maxErrorRate", node.get("maxErrorRate"), d.maxErrorRate());
            if (node.has("rps") && rps <= 0) {
                problem("slo.rps", "must be > 0, was " + node.get("rps").asText());
            }
            if (node.has("p99Ms") && p99 <= 0) {
                problem("slo.p99Ms", "must be > 0, was " + node.get("p99Ms").asText());
            }
            if (node.has("maxErrorRate") && (maxErrorRate < 0 || maxErrorRate > 1)) {
                problem(
                        "slo.maxErrorRate",
                        "must be between 0 and 1, was "
                                + node.get("maxErrorRate").asText());
            }
            return new Slo(rps, p99, maxErrorRate);
        }

        private Map<String, String> env() {
            JsonNode node = root.get("env");
            if (node == null || node.isNull()) {
                return Map.of();
            }
            if (!node.isObject()) {
                problem("env", "must be a mapping of variable names to values, was " + kind(node));
                return Map.of();
            }
            Map<String, String> env = new TreeMap<>();
            node.fields().forEachRemaining(entry -> {
                String key = entry.getKey();
                JsonNode value = entry.getValue();
                if (!ENV_NAME.matcher(key).matches()) {
                    problem("env." + key, "is not a valid environment variable name");
                } else if (key.startsWith("MODEL_DEPLOY_")) {
                    problem("env." + key, "names starting with MODEL_DEPLOY_ are reserved for the harness");
                } else if (!value.isValueNode() || value.isNull()) {
                    problem("env." + key, "must be a string, number or boolean, was " + kind(value));
                } else {
                    env.put(key, value.asText());
                }
            });
            return env;
        }

        private Optional<Signature> signature() {
            JsonNode node = root.get("signature");
            if (node == null || node.isNull() || !mapping("signature", node, SIGNATURE_FIELDS)) {
                return Optional.empty();
            }
            Signature.Format format = Signature.Format.ARRAY;
            JsonNode formatNode = node.get("format");
            if (formatNode != null && !formatNode.isNull()) {
                String value = formatNode.asText();
                if (!formatNode.isTextual() || !(value.equals("array") || value.equals("object"))) {
                    problem("signature.format", "must be array or object, was " + kind(formatNode));
                } else {
                    format = Signature.Format.valueOf(value.toUpperCase(java.util.Locale.ROOT));
                }
            }
            JsonNode inputsNode = node.get("inputs");
            List<Signature.Input> inputs = new ArrayList<>();
            if (inputsNode == null || !inputsNode.isArray() || inputsNode.isEmpty()) {
                problem("signature.inputs", "must be a non-empty list of {name, type}, was " + kind(inputsNode));
                return Optional.empty();
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < inputsNode.size(); i++) {
                String field = "signature.inputs[" + i + "]";
                JsonNode input = inputsNode.get(i);
                if (!mapping(field, input, INPUT_FIELDS)) {
                    continue;
                }
                JsonNode nameNode = input.get("name");
                JsonNode typeNode = input.get("type");
                String inputName = nameNode != null && nameNode.isTextual() ? nameNode.asText() : null;
                if (inputName == null || inputName.isEmpty()) {
                    problem(field + ".name", "must be a non-empty string, was " + kind(nameNode));
                } else if (!seen.add(inputName)) {
                    problem(field + ".name", "duplicate input name \"" + inputName + "\"");
                }
                Signature.ValueType type = null;
                String typeText = typeNode != null && typeNode.isTextual() ? typeNode.asText() : "";
                for (Signature.ValueType candidate : Signature.ValueType.values()) {
                    if (candidate.name().toLowerCase(java.util.Locale.ROOT).equals(typeText)) {
                        type = candidate;
                    }
                }
                if (type == null) {
                    problem(field + ".type", "must be number, integer, string or boolean, was " + kind(typeNode));
                }
                if (inputName != null && type != null) {
                    inputs.add(new Signature.Input(inputName, type));
                }
            }
            return inputs.size() == inputsNode.size() ? Optional.of(new Signature(format, inputs)) : Optional.empty();
        }

        private Serving serving() {
            JsonNode node = root.get("serving");
            Serving d = Serving.DEFAULT;
            if (node == null || node.isNull() || !mapping("serving", node, SERVING_FIELDS)) {
                return d;
            }
            int workers = d.workers();
            JsonNode workersNode = node.get("workers");
            if (workersNode != null && !workersNode.isNull()) {
                if (workersNode.isTextual() && workersNode.asText().equals("auto")) {
                    workers = Serving.AUTO_WORKERS;
                } else if (!workersNode.canConvertToExactIntegral() || !workersNode.isNumber()) {
                    problem("serving.workers", "must be an integer or auto, was " + kind(workersNode));
                } else if (workersNode.asLong() < 1 || workersNode.asLong() > MAX_WORKERS) {
                    problem(
                            "serving.workers",
                            "must be between 1 and " + MAX_WORKERS + ", was " + workersNode.asText());
                } else {
                    workers = workersNode.asInt();
                }
            }
            long maxBody = d.maxBodyBytes();
            JsonNode bodyNode = node.get("maxBodyBytes");
            if (bodyNode != null && !bodyNode.isNull()) {
                BigDecimal amount = bodyNode.isTextual()
                        ? amount(bodyNode.asText())
                        : bodyNode.isIntegralNumber() ? bodyNode.decimalValue() : null;
                if (amount == null) {
                    problem(
                            "serving.maxBodyBytes",
                            "must be a byte count such as 1048576 or 1Mi, was " + kind(bodyNode));
                } else if (amount.compareTo(BigDecimal.ONE) < 0
                        || amount.compareTo(BigDecimal.valueOf(MAX_BODY_LIMIT)) > 0) {
                    problem(
                            "serving.maxBodyBytes",
                            "must be between 1 and " + MAX_BODY_LIMIT + " bytes, was " + bodyNode.asText());
                } else {
                    maxBody = amount.longValue();
                }
            }
            return new Serving(workers, maxBody);
        }

        private boolean mapping(String field, JsonNode node, Set<String> known) {
            if (node == null || node.isMissingNode()) {
                return true;
            }
            if (!node.isObject()) {
                problem(field, "must be a mapping, was " + kind(node));
                return false;
            }
            node.fieldNames().forEachRemaining(child -> {
                if (!known.contains(child)) {
                    problem(
                            field + "." + child,
                            "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")");
                }
            });
            return true;
        }

        private double number(String field, JsonNode node, double fallback) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isNumber()) {
                problem(field, "must be a number, was " + kind(node));
                return fallback;
            }
            return node.asDouble();
        }

        private String requiredString(String field) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                problem(field, "is required");
                return null;
            }
            if (!node.isTextual()) {
                problem(field, "must be a string, was " + kind(node));
                return null;
            }
            if (node.asText().isBlank()) {
                problem(field, "must not be empty");
                return null;
            }
            return node.asText();
        }

        private String optionalString(String field) {
            JsonNode node = root.get(field);
            if (node == null || node.isNull()) {
                return "";
            }
            if (!node.isTextual()) {
                problem(field, "must be a string, was " + kind(node));
                return "";
            }
            return node.asText();
        }

        private List<String> stringList(String field, JsonNode node) {
            if (node.isTextual()) {
                return List.of(node.asText());
            }
            if (!node.isArray()) {
                problem(field, "must be a list of strings, was " + kind(node));
                return List.of();
            }
            List<String> values = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                if (!item.isTextual() || item.asText().isBlank()) {
                    problem(field + "[" + i + "]", "must be a non-empty string, was " + kind(item));
                } else {
                    values.add(item.asText());
                }
            }
            return values;
        }
    }
}
