package io.jenkins.plugins.modeldeploy.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

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
            "route",
            "environment",
            "abTest");
    static final Set<String> AB_TEST_FIELDS = Set.of("metrics", "labelled");
    static final Set<String> AB_TEST_METRIC_FIELDS =
            Set.of("name", "margin", "gate", "kind", "direction", "count", "sum", "squares");
    /** A gated metric's name, as {@code abtest.GatedMetric} accepts it. */
    static final Pattern METRIC_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
    /** Where a custom metric's queries name the variant. */
    static final String VARIANT_PLACEHOLDER = "{{variant}}";

    static final Set<String> ENVIRONMENT_FIELDS =
            Set.of("debian", "requirements", "wheelhouse", "indexUrls", "r", "snapshot");
    static final Set<String> ENVIRONMENT_R_FIELDS = Set.of("packages", "lock", "repository");
    static final Set<String> RESOURCES_FIELDS = Set.of("requests", "limits", "gpu");
    static final Set<String> CPU_MEMORY_FIELDS = Set.of("cpu", "memory");
    static final Set<String> SLO_FIELDS = Set.of("rps", "p99Ms", "maxErrorRate");
    static final Set<String> SIGNATURE_FIELDS = Set.of("format", "inputs");
    static final Set<String> INPUT_FIELDS = Set.of("name", "type");
    static final Set<String> SERVING_FIELDS =
            Set.of("workers", "maxBodyBytes", "loadTimeout", "timeout", "scaling", "placement");
    static final Set<String> SCALING_FIELDS = Set.of("replicas", "min", "max", "targetCPU");
    static final Set<String> PLACEMENT_FIELDS = Set.of("nodeSelector", "tolerations");
    static final Set<String> TOLERATION_FIELDS = Set.of("key", "operator", "value", "effect", "tolerationSeconds");
    static final Set<String> ENV_REFERENCE_FIELDS = Set.of("secretKeyRef");
    static final Set<String> SECRET_KEY_REF_FIELDS = Set.of("name", "key");
    /**
     * Set by the image or the harness; a model's value would break them: {@code MODEL_DEPLOY_*} is the harness's
     * namespace, {@code PYTHONPATH} and {@code R_LIBS} find the harness and the vendored dependencies.
     */
    static final Set<String> RESERVED_ENV = Set.of("PYTHONPATH", "R_LIBS");

    static final String RESERVED_ENV_PREFIX = "MODEL_DEPLOY_";
    /**
     * The harness settings a model may set in its {@code env} (documented in harness-protocol.md, Workers): turning
     * off the load before fork (models whose loading starts threads, e.g. CUDA or OpenMP pools) and the per-worker
     * memory figure of {@code workers: auto}.
     */
    static final Set<String> MODEL_TUNABLE_ENV = Set.of("MODEL_DEPLOY_PRELOAD", "MODEL_DEPLOY_WORKER_MEMORY");

    /** A DNS-1123 label that starts with a letter, so that {@code name-version} is a valid Service name too. */
    static final Pattern NAME = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

    private static final Pattern PYTHON_ENTRYPOINT =
            Pattern.compile("([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*):([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern R_ENTRYPOINT = Pattern.compile("([^:]+\\.[Rr])(?::([A-Za-z.][A-Za-z0-9._]*))?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** A DNS-1123 subdomain: Secret names, label-key prefixes (apimachinery {@code validation.IsDNS1123Subdomain}). */
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** A label value, and the name part of a label key (apimachinery {@code validation.IsQualifiedName}). */
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    /** A Secret data key (apimachinery {@code validation.IsConfigMapKey}). */
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

    /** Debian policy 5.6.1: lower case letters, digits, '+', '-', '.', at least two, starting alphanumeric. */
    static final Pattern DEBIAN_PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    /** R's package names ({@code .standard_regexps()$valid_package_name}). */
    static final Pattern R_PACKAGE = Pattern.compile("[A-Za-z][A-Za-z0-9.]*[A-Za-z0-9]");
    /** snapshot.debian.org's timestamps. */
    static final Pattern SNAPSHOT = Pattern.compile("[0-9]{8}T[0-9]{6}Z");

    private static final Pattern DURATION = Pattern.compile("(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?");
    private static final Set<String> OPERATORS = Set.of("Equal", "Exists");
    private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
    private static final long MAX_BODY_LIMIT = 1L << 30;
    private static final int MAX_WORKERS = 64;
    private static final int MAX_REPLICAS = 1000;
    private static final int MAX_GPUS = 64;
    private static final Duration MAX_LOAD_TIMEOUT = Duration.ofHours(1);
    /** A prediction answered after more than this is no prediction a client still waits for. */
    private static final Duration MAX_PREDICT_TIMEOUT = Duration.ofMinutes(10);
    /**
     * SLO bounds: the smoke generator's rate range ends at 1,000,000 requests/s (smoke/Schedule); below 0.01/s a
     * smoke test of minutes sends no request. A p99 bound under 0.01 ms or over an hour is a typo, not a promise.
     */
    static final double MIN_RPS = 0.01;

    static final double MAX_RPS = 1_000_000;
    static final double MIN_P99_MS = 0.01;
    static final double MAX_P99_MS = 3_600_000;

    private final ObjectMapper json = new ObjectMapper();

    public ModelSpecLoader() {}

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
            root = YamlDocument.read(file);
        } catch (YamlDocument.YamlException e) {
            throw failure(dir, new SpecProblem(FILE_NAME, "", e.getMessage()));
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
                    value = YamlDocument.read(override.value().isEmpty() ? "''" : override.value());
                } catch (YamlDocument.YamlException | IOException e) {
                    problems.add(new SpecProblem(override.source(), "", "cannot read value: " + e.getMessage()));
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
            Optional<Path> dependencies = dependencies();
            ResourceRequirements resources = resources();
            Slo slo = slo();
            Map<String, String> env = new TreeMap<>();
            Map<String, SecretKeyRef> secretEnv = new TreeMap<>();
            env(env, secretEnv);
            Optional<Signature> signature = signature();
            Serving serving = serving();
            List<Path> samples = samples(signature, serving.maxBodyBytes());
            RouteSettings route = RouteSettings.parse(root.get("route"), this::problem);
            EnvironmentSpec environment = environment(runtime);
            AbTestSpec abTest = abTest();
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
                    secretEnv,
                    route,
                    environment,
                    abTest);
        }

        /** The {@code abTest:} section: gated quality metrics and labelled request files. */
        private AbTestSpec abTest() {
            JsonNode node = root.get("abTest");
            if (node == null || node.isNull() || !mapping("abTest", node, AB_TEST_FIELDS)) {
                return AbTestSpec.NONE;
            }
            List<AbTestSpec.Metric> metrics = new ArrayList<>();
            JsonNode list = node.get("metrics");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    problem("abTest.metrics", "must be a list of metrics, was " + kind(list));
                } else {
                    Set<String> names = new java.util.HashSet<>();
                    for (int i = 0; i < list.size(); i++) {
                        String field = "abTest.metrics[" + i + "]";
                        AbTestSpec.Metric metric = abTestMetric(field, list.get(i));
                        if (metric != null && !names.add(metric.name())) {
                            problem(field + ".name", "metric " + metric.name() + " is listed twice");
                        } else if (metric != null) {
                            metrics.add(metric);
                        }
                    }
                }
            }
            List<Path> labelled = new ArrayList<>();
            JsonNode files = node.get("labelled");
            if (files != null && !files.isNull()) {
                List<String> paths = stringList("abTest.labelled", files);
                for (int i = 0; i < paths.size(); i++) {
                    Path file = labelledFile("abTest.labelled[" + i + "]", paths.get(i));
                    if (file != null && !labelled.contains(file)) {
                        labelled.add(file);
                    }
                }
            }
            return new AbTestSpec(metrics, labelled);
        }

        private AbTestSpec.Metric abTestMetric(String field, JsonNode node) {
            if (node.isTextual()) { // the short form: a built-in metric's name
                ObjectNode named = json.createObjectNode();
                named.set("name", node);
                node = named;
            }
            if (!node.isObject()) {
                problem(
                        field,
                        "must be a mapping with name: (and margin:, gate:, or a custom metric's kind:,"
                                + " direction:, count:, sum:, squares:), was " + kind(node));
                return null;
            }
            if (!mapping(field, node, AB_TEST_METRIC_FIELDS)) {
                return null;
            }
            int before = problems.size();
            JsonNode nameNode = node.get("name");
            String name = null;
            if (nameNode == null || nameNode.isNull()) {
                problem(field + ".name", "is required");
            } else if (!nameNode.isTextual()
                    || !METRIC_NAME.matcher(nameNode.asText()).matches()) {
                problem(
                        field + ".name",
                        "must be lower-case letters, digits, '-' and '_', starting with a letter, at most 63, was "
                                + (nameNode.isTextual() ? "\"" + nameNode.asText() + "\"" : kind(nameNode)));
            } else {
                name = nameNode.asText();
            }
            AbTestSpec.Gate gate = AbTestSpec.Gate.NON_INFERIOR;
            JsonNode gateNode = node.get("gate");
            if (gateNode != null && !gateNode.isNull()) {
                String text = gateNode.isTextual() ? gateNode.asText() : "";
                switch (text) {
                    case "non-inferior" -> gate = AbTestSpec.Gate.NON_INFERIOR;
                    case "superior" -> gate = AbTestSpec.Gate.SUPERIOR;
                    default ->
                        problem(
                                field + ".gate",
                                "must be non-inferior or superior, was "
                                        + (gateNode.isTextual() ? "\"" + text + "\"" : kind(gateNode)));
                }
            }
            OptionalDouble margin = OptionalDouble.empty();
            JsonNode marginNode = node.get("margin");
            if (marginNode != null && !marginNode.isNull()) {
                if (!marginNode.isNumber()
                        || !(marginNode.asDouble() >= 0)
                        || !Double.isFinite(marginNode.asDouble())) {
                    problem(
                            field + ".margin",
                            "must be a number >= 0 in the metric's units, was "
                                    + (marginNode.isNumber() ? marginNode.asText() : kind(marginNode)));
                } else {
                    margin = OptionalDouble.of(marginNode.asDouble());
                }
            }
            boolean custom = present(node, "kind")
                    || present(node, "direction")
                    || present(node, "count")
                    || present(node, "sum")
                    || present(node, "squares");
            Optional<AbTestSpec.Kind> kind = Optional.empty();
            Optional<AbTestSpec.Direction> direction = Optional.empty();
            Optional<String> count = Optional.empty();
            Optional<String> sum = Optional.empty();
            Optional<String> squares = Optional.empty();
            if (custom) {
                JsonNode kindNode = node.get("kind");
                if (kindNode == null || kindNode.isNull()) {
                    problem(field + ".kind", "is required for a custom metric (proportion or mean)");
                } else if ("proportion".equals(kindNode.asText()) && kindNode.isTextual()) {
                    kind = Optional.of(AbTestSpec.Kind.PROPORTION);
                } else if ("mean".equals(kindNode.asText()) && kindNode.isTextual()) {
                    kind = Optional.of(AbTestSpec.Kind.MEAN);
                } else {
                    problem(field + ".kind", "must be proportion or mean, was " + describe(kindNode));
                }
                JsonNode directionNode = node.get("direction");
                if (directionNode == null || directionNode.isNull()) {
                    problem(field + ".direction", "is required for a custom metric (higher or lower: which is better)");
                } else if ("higher".equals(directionNode.asText()) && directionNode.isTextual()) {
                    direction = Optional.of(AbTestSpec.Direction.HIGHER);
                } else if ("lower".equals(directionNode.asText()) && directionNode.isTextual()) {
                    direction = Optional.of(AbTestSpec.Direction.LOWER);
                } else {
                    problem(field + ".direction", "must be higher or lower, was " + describe(directionNode));
                }
                count = query(field + ".count", node.get("count"), true);
                sum = query(field + ".sum", node.get("sum"), true);
                squares = query(field + ".squares", node.get("squares"), false);
                if (kind.isPresent()
                        && kind.get() == AbTestSpec.Kind.MEAN
                        && squares.isEmpty()
                        && !present(node, "squares")) {
                    problem(
                            field + ".squares",
                            "is required for a custom mean metric (the sum of the squares of its"
                                    + " observations: a sequential test of a mean needs its variance)");
                }
                if (name != null && AbTestSpec.BUILT_IN.contains(name)) {
                    problem(
                            field + ".name",
                            "\"" + name + "\" is a built-in metric: a custom metric needs another"
                                    + " name, a built-in one takes only margin: and gate:");
                }
            } else if (name != null && !AbTestSpec.BUILT_IN.contains(name)) {
                problem(
                        field + ".name",
                        "unknown metric \"" + name + "\": built-in metrics are "
                                + String.join(", ", AbTestSpec.BUILT_IN)
                                + "; a custom metric needs kind:, direction:, count: and sum: (with {{variant}})");
            }
            boolean proportion = custom
                    ? kind.orElse(AbTestSpec.Kind.MEAN) == AbTestSpec.Kind.PROPORTION
                    : AbTestSpec.ACCURACY.equals(name);
            if (proportion && margin.isPresent() && margin.getAsDouble() >= 1) {
                problem(
                        field + ".margin",
                        "must be below 1 for a proportion (0.01 = one percentage point), was " + margin.getAsDouble());
            }
            if (gate == AbTestSpec.Gate.NON_INFERIOR
                    && name != null
                    && (custom || AbTestSpec.BUILT_IN.contains(name))
                    && margin.isEmpty()
                    && !AbTestSpec.ACCURACY.equals(name)
                    && (marginNode == null || marginNode.isNull())) {
                problem(
                        field + ".margin",
                        "is required for the non-inferiority gate (in the metric's units)," + " or set gate: superior");
            }
            if (problems.size() > before || name == null) {
                return null;
            }
            return new AbTestSpec.Metric(name, margin, gate, kind, direction, count, sum, squares);
        }

        private Optional<String> query(String field, JsonNode node, boolean required) {
            if (node == null || node.isNull()) {
                if (required) {
                    problem(field, "is required for a custom metric (PromQL with " + VARIANT_PLACEHOLDER + ")");
                }
                return Optional.empty();
            }
            if (!node.isTextual() || node.asText().isBlank()) {
                problem(field, "must be a PromQL query, was " + kind(node));
                return Optional.empty();
            }
            if (!node.asText().contains(VARIANT_PLACEHOLDER)) {
                problem(field, "must name the variant as " + VARIANT_PLACEHOLDER);
                return Optional.empty();
            }
            return Optional.of(node.asText());
        }

        private static String describe(JsonNode node) {
            return node.isTextual() ? "\"" + node.asText() + "\"" : kind(node);
        }

        /**
         * A labelled request file, relative to the model directory: inside it (also once links are resolved), a
         * regular {@code .json} or {@code .jsonl} file whose every request is an object with a non-empty
         * {@code "instances"} array and an {@code "expected"} array of one label per instance. Problems are reported
         * by position only (the file could be anything).
         */
        private Path labelledFile(String field, String text) {
            Path relative;
            try {
                relative = Path.of(text).normalize();
            } catch (java.nio.file.InvalidPathException e) {
                problem(field, "not a valid path");
                return null;
            }
            if (relative.isAbsolute()
                    || relative.startsWith("..")
                    || relative.toString().isEmpty()) {
                problem(field, "must be a file inside the model directory, was \"" + text + "\"");
                return null;
            }
            Path file = dir.resolve(relative);
            if (!Files.isRegularFile(file)) {
                problem(field, "file " + relative + " not found in " + dir);
                return null;
            }
            try {
                if (!file.toRealPath().startsWith(dir.toRealPath())) {
                    problem(field, relative + " links outside the model directory");
                    return null;
                }
            } catch (IOException e) {
                problem(
                        field,
                        "cannot resolve " + relative + " (" + e.getClass().getSimpleName() + ")");
                return null;
            }
            String fileName = String.valueOf(relative.getFileName()); // never null: relative is a non-empty file path
            boolean lines = fileName.endsWith(".jsonl");
            if (!lines && !fileName.endsWith(".json")) {
                problem(field, relative + ": must be a .json or .jsonl request file");
                return null;
            }
            List<String> documents;
            try {
                String content = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
                documents = lines ? content.lines().toList() : List.of(content);
            } catch (IOException e) {
                problem(field, relative + ": cannot read (" + e.getClass().getSimpleName() + ")");
                return null;
            }
            int requests = 0;
            for (int i = 0; i < documents.size(); i++) {
                if (documents.get(i).isBlank()) {
                    continue;
                }
                String where = relative + (lines ? ":" + (i + 1) : "");
                String error = labelledError(documents.get(i));
                if (error != null) {
                    problem(field, where + ": " + error);
                    return null;
                }
                requests++;
            }
            if (requests == 0) {
                problem(field, relative + ": no requests");
                return null;
            }
            return relative;
        }

        private String labelledError(String text) {
            JsonNode request;
            try {
                request = json.readTree(text);
            } catch (JsonProcessingException e) {
                JsonLocation where = e.getLocation();
                return "malformed JSON"
                        + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr());
            }
            if (request == null
                    || !request.isObject()
                    || !request.path("instances").isArray()
                    || request.path("instances").isEmpty()) {
                return "must be a JSON object with a non-empty \"instances\" array";
            }
            JsonNode expected = request.get("expected");
            if (expected == null
                    || !expected.isArray()
                    || expected.size() != request.get("instances").size()) {
                return "must carry \"expected\": an array with one label per instance ("
                        + request.get("instances").size() + ")";
            }
            return null;
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

        /** The sample files, each checked as the harness will check it: size, shape, and the signature's types. */
        private List<Path> samples(Optional<Signature> signature, long maxBodyBytes) {
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
                    String error = sampleError(dir.resolve(sample), signature, maxBodyBytes);
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

        /**
         * Why {@code file} is no request the harness would accept, or null. A file that is not JSON is reported by
         * position only: its content could be anything (a secret the link check did not catch, a binary file).
         */
        private String sampleError(Path file, Optional<Signature> signature, long maxBodyBytes) {
            JsonNode sample;
            try {
                long size = Files.size(file);
                if (size > maxBodyBytes) {
                    return size + " bytes, more than serving.maxBodyBytes (" + maxBodyBytes
                            + "): the harness would answer 413";
                }
                sample = json.readTree(file.toFile());
            } catch (JsonProcessingException e) {
                JsonLocation where = e.getLocation();
                return "malformed JSON"
                        + (where == null ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr());
            } catch (IOException e) {
                return "cannot read (" + e.getClass().getSimpleName() + ")";
            }
            if (sample == null || !sample.isObject() || !sample.has("instances")) {
                return "must be a JSON object with an \"instances\" array";
            }
            JsonNode instances = sample.get("instances");
            if (!instances.isArray() || instances.isEmpty()) {
                return "\"instances\" must be a non-empty array";
            }
            if (signature.isPresent()) {
                for (int i = 0; i < instances.size(); i++) {
                    String error = SampleCheck.instanceError(instances.get(i), signature.get(), "instances[" + i + "]");
                    if (error != null) {
                        return error + " (signature)";
                    }
                }
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

        private EnvironmentSpec environment(Optional<ModelRuntime> runtime) {
            JsonNode node = root.get("environment");
            if (node == null || node.isNull() || !mapping("environment", node, ENVIRONMENT_FIELDS)) {
                return EnvironmentSpec.NONE;
            }
            List<String> debian = new ArrayList<>();
            if (present(node, "debian")) {
                List<String> names = stringList("environment.debian", node.get("debian"));
                for (int i = 0; i < names.size(); i++) {
                    if (DEBIAN_PACKAGE.matcher(names.get(i)).matches()) {
                        debian.add(names.get(i));
                    } else {
                        problem(
                                "environment.debian[" + i + "]",
                                "must be a Debian package name (lower-case letters, digits, '+', '-' and '.', starting"
                                        + " with a letter or digit), was \"" + names.get(i) + "\"");
                    }
                }
            }
            boolean python = runtime.orElse(null) == ModelRuntime.PYTHON;
            boolean r = runtime.orElse(null) == ModelRuntime.R;
            Optional<Path> requirements = Optional.empty();
            Optional<Path> wheelhouse = Optional.empty();
            List<String> indexUrls = new ArrayList<>();
            for (String pipField : List.of("requirements", "wheelhouse", "indexUrls")) {
                if (present(node, pipField) && runtime.isPresent() && !python) {
                    problem(
                            "environment." + pipField,
                            "is for runtime python (pip packages); runtime "
                                    + runtime.get().id() + " declares its packages under environment.r");
                }
            }
            if (python || runtime.isEmpty()) {
                requirements = inside("environment.requirements", node.get("requirements"), false, "requirements.txt");
                wheelhouse = inside("environment.wheelhouse", node.get("wheelhouse"), true, null);
                if (present(node, "indexUrls")) {
                    List<String> urls = stringList("environment.indexUrls", node.get("indexUrls"));
                    for (int i = 0; i < urls.size(); i++) {
                        if (urls.get(i).matches("https?://[^\\s]+")) {
                            indexUrls.add(urls.get(i));
                        } else {
                            problem(
                                    "environment.indexUrls[" + i + "]",
                                    "must be an http(s) URL, was \"" + urls.get(i) + "\"");
                        }
                    }
                }
                if (present(node, "wheelhouse") && !present(node, "requirements")) {
                    problem(
                            "environment.wheelhouse",
                            "needs environment.requirements (the wheelhouse only offers"
                                    + " packages; the requirements file says which to install)");
                }
                if (!indexUrls.isEmpty() && !present(node, "requirements")) {
                    problem("environment.indexUrls", "needs environment.requirements (what to install from them)");
                }
            }
            Optional<EnvironmentSpec.RPackages> rPackages = Optional.empty();
            if (present(node, "r")) {
                if (runtime.isPresent() && !r) {
                    problem(
                            "environment.r",
                            "is for runtime r; runtime " + runtime.get().id()
                                    + " declares pip packages with environment.requirements");
                } else {
                    rPackages = rPackages(node.get("r"));
                }
            }
            Optional<String> snapshot = Optional.empty();
            if (present(node, "snapshot")) {
                JsonNode value = node.get("snapshot");
                if (value.isTextual() && SNAPSHOT.matcher(value.asText()).matches()) {
                    snapshot = Optional.of(value.asText());
                } else {
                    problem(
                            "environment.snapshot",
                            "must be a snapshot.debian.org timestamp such as" + " \"20261101T000000Z\", was "
                                    + kind(value));
                }
            }
            return new EnvironmentSpec(debian, requirements, wheelhouse, indexUrls, rPackages, snapshot);
        }

        private Optional<EnvironmentSpec.RPackages> rPackages(JsonNode node) {
            if (!mapping("environment.r", node, ENVIRONMENT_R_FIELDS)) {
                return Optional.empty();
            }
            List<String> packages = new ArrayList<>();
            if (present(node, "packages")) {
                List<String> names = stringList("environment.r.packages", node.get("packages"));
                for (int i = 0; i < names.size(); i++) {
                    if (R_PACKAGE.matcher(names.get(i)).matches()) {
                        packages.add(names.get(i));
                    } else {
                        problem(
                                "environment.r.packages[" + i + "]",
                                "must be an R package name (letters, digits and"
                                        + " '.', starting with a letter), was \"" + names.get(i) + "\"");
                    }
                }
            }
            Optional<Path> lock = inside("environment.r.lock", node.get("lock"), false, "renv.lock");
            if (present(node, "packages") == present(node, "lock")) {
                problem("environment.r", "needs exactly one of packages (names) and lock (an renv.lock file)");
            }
            String repository = EnvironmentSpec.RPackages.DEFAULT_REPOSITORY;
            JsonNode repo = node.get("repository");
            if (repo != null && !repo.isNull()) {
                if (repo.isTextual() && repo.asText().matches("https?://[^\\s]+")) {
                    repository = repo.asText();
                } else {
                    repository = inside("environment.r.repository", repo, true, null)
                            .map(Path::toString)
                            .orElse(repository);
                }
            }
            return Optional.of(new EnvironmentSpec.RPackages(packages, lock, repository));
        }

        /**
         * A path relative to the model directory that stays inside it and exists (a directory or a regular file);
         * empty when absent or wrong (reported, naming {@code field}).
         */
        private Optional<Path> inside(String field, JsonNode node, boolean directory, String example) {
            if (node == null || node.isNull()) {
                return Optional.empty();
            }
            String what = directory ? "a directory" : "a file";
            if (!node.isTextual() || node.asText().isBlank()) {
                problem(
                        field,
                        "must be the path of " + what + " relative to the model directory"
                                + (example == null ? "" : " (e.g. " + example + ")") + ", was " + kind(node));
                return Optional.empty();
            }
            Path relative = Path.of(node.asText()).normalize();
            if (relative.isAbsolute()
                    || relative.startsWith("..")
                    || relative.toString().isEmpty()) {
                problem(field, "must be inside the model directory, was \"" + node.asText() + "\"");
                return Optional.empty();
            }
            Path file = dir.resolve(relative);
            if (directory ? !Files.isDirectory(file) : !Files.isRegularFile(file)) {
                problem(field, node.asText() + " not found in the model directory" + " (" + what + " expected)");
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
            String cpuRequest = quantity("resources.requests.cpu", requests.get("cpu"), d.cpuRequest(), true);
            String memoryRequest =
                    quantity("resources.requests.memory", requests.get("memory"), d.memoryRequest(), false);
            String cpuLimit = quantity("resources.limits.cpu", limits.get("cpu"), d.cpuLimit(), true);
            String memoryLimit = quantity("resources.limits.memory", limits.get("memory"), d.memoryLimit(), false);
            notBelow("resources.limits.cpu", cpuLimit, "resources.requests.cpu", cpuRequest);
            notBelow("resources.limits.memory", memoryLimit, "resources.requests.memory", memoryRequest);
            int gpus = integer("resources.gpu", node.get("gpu"), 0, 0, MAX_GPUS, "a whole number of GPUs");
            return new ResourceRequirements(cpuRequest, memoryRequest, cpuLimit, memoryLimit, gpus);
        }

        /**
         * A quantity in the canonical form the API server stores ({@code 0.5} becomes {@code 500m}), so a re-apply
         * compares equal to the live object. CPU must be whole millicores and memory whole bytes: the API server
         * rounds finer values up, which would make the stored value differ from the written one.
         */
        private String quantity(String field, JsonNode node, String fallback, boolean cpu) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            String example = cpu ? "500m or 2" : "512Mi or 1Gi";
            if (!node.isTextual() && !node.isNumber()) {
                problem(field, "must be a Kubernetes quantity such as " + example + ", was " + kind(node));
                return fallback;
            }
            // A YAML number (cpu: 0.5) in plain notation: Jackson would write 0.0001 as 1.0E-4.
            String text =
                    node.isNumber() ? node.decimalValue().stripTrailingZeros().toPlainString() : node.asText();
            Optional<BigDecimal> amount = Quantities.value(text);
            if (amount.isEmpty()) {
                problem(field, "must be a Kubernetes quantity such as " + example + ", was \"" + text + "\"");
                return fallback;
            }
            if (amount.get().signum() <= 0) {
                problem(field, "must be > 0, was " + text);
                return fallback;
            }
            if (cpu && !Quantities.wholeMillis(text)) {
                problem(field, "must be a whole number of millicores (at least 1m), was " + text);
                return fallback;
            }
            if (!cpu && amount.get().stripTrailingZeros().scale() > 0) {
                problem(field, "must be a whole number of bytes, was " + text);
                return fallback;
            }
            return Quantities.canonical(text);
        }

        private void notBelow(String limitField, String limit, String requestField, String request) {
            BigDecimal l = limit == null ? null : amount(limit);
            BigDecimal r = request == null ? null : amount(request);
            if (l != null && r != null && l.compareTo(r) < 0) {
                problem(limitField, "must be at least " + requestField + " (" + request + "), was " + limit);
            }
        }

        private BigDecimal amount(String text) {
            return Quantities.value(text).orElse(null);
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
            // !(in range) rather than (out of range): NaN (.nan in YAML) compares false either way.
            if (node.has("rps") && !(rps >= MIN_RPS && rps <= MAX_RPS)) {
                problem(
                        "slo.rps",
                        "must be between " + MIN_RPS + " and " + (long) MAX_RPS + " requests/s, was "
                                + node.get("rps").asText());
            }
            if (node.has("p99Ms") && !(p99 >= MIN_P99_MS && p99 <= MAX_P99_MS)) {
                problem(
                        "slo.p99Ms",
                        "must be between " + MIN_P99_MS + " and " + (long) MAX_P99_MS + " ms, was "
                                + node.get("p99Ms").asText());
            }
            if (node.has("maxErrorRate") && !(maxErrorRate >= 0 && maxErrorRate <= 1)) {
                problem(
                        "slo.maxErrorRate",
                        "must be between 0 and 1, was "
                                + node.get("maxErrorRate").asText());
            }
            return new Slo(rps, p99, maxErrorRate);
        }

        /**
         * Plain variables go to {@code env}; {@code {secretKeyRef: {name, key}}} values to {@code secretEnv}, as
         * references only (the value is never read: the kubelet resolves it in the cluster).
         */
        private void env(Map<String, String> env, Map<String, SecretKeyRef> secretEnv) {
            JsonNode node = root.get("env");
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                problem("env", "must be a mapping of variable names to values, was " + kind(node));
                return;
            }
            node.fields().forEachRemaining(entry -> {
                String key = entry.getKey();
                String field = "env." + key;
                JsonNode value = entry.getValue();
                if (!ENV_NAME.matcher(key).matches()) {
                    problem(
                            field,
                            "is not a valid environment variable name (letters, digits and _, not starting"
                                    + " with a digit)");
                } else if (key.startsWith(RESERVED_ENV_PREFIX) && !MODEL_TUNABLE_ENV.contains(key)) {
                    problem(
                            field,
                            "names starting with " + RESERVED_ENV_PREFIX + " are reserved for the harness (a model may"
                                    + " set only " + String.join(" and ", new java.util.TreeSet<>(MODEL_TUNABLE_ENV))
                                    + ")");
                } else if (RESERVED_ENV.contains(key)) {
                    problem(field, "is set by the image (it finds the harness and the dependencies)");
                } else if (value.isObject()) {
                    secretKeyRef(field, value).ifPresent(ref -> secretEnv.put(key, ref));
                } else if (!value.isValueNode() || value.isNull()) {
                    problem(
                            field,
                            "must be a string, number, boolean or {secretKeyRef: {name, key}}, was " + kind(value));
                } else {
                    env.put(key, value.asText());
                }
            });
        }

        private Optional<SecretKeyRef> secretKeyRef(String field, JsonNode value) {
            if (!mapping(field, value, ENV_REFERENCE_FIELDS)) {
                return Optional.empty();
            }
            JsonNode ref = value.get("secretKeyRef");
            if (ref == null || ref.isNull()) {
                problem(field + ".secretKeyRef", "is required in a mapping value (the Secret's name and key)");
                return Optional.empty();
            }
            if (!mapping(field + ".secretKeyRef", ref, SECRET_KEY_REF_FIELDS)) {
                return Optional.empty();
            }
            String name = matching(
                    field + ".secretKeyRef.name",
                    ref.get("name"),
                    DNS_SUBDOMAIN,
                    253,
                    "a Secret name (lower-case letters, digits, '-' and '.')");
            String key = matching(
                    field + ".secretKeyRef.key",
                    ref.get("key"),
                    SECRET_KEY,
                    253,
                    "a key of the Secret's data (letters, digits, '-', '_' and '.')");
            return name == null || key == null ? Optional.empty() : Optional.of(new SecretKeyRef(name, key));
        }

        /** A required string matching {@code pattern}, at most {@code maxLength} long; null (reported) otherwise. */
        private String matching(String field, JsonNode node, Pattern pattern, int maxLength, String what) {
            if (node == null || node.isNull()) {
                problem(field, "is required");
                return null;
            }
            if (!node.isTextual()) {
                problem(field, "must be " + what + ", was " + kind(node));
                return null;
            }
            String text = node.asText();
            if (text.length() > maxLength || !pattern.matcher(text).matches()) {
                problem(
                        field,
                        "must be " + what + (text.length() > maxLength ? ", at most " + maxLength + " characters" : "")
                                + ", was \"" + text + "\"");
                return null;
            }
            return text;
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
            Duration loadTimeout =
                    duration("serving.loadTimeout", node.get("loadTimeout"), d.loadTimeout(), MAX_LOAD_TIMEOUT, "1h");
            Duration timeout =
                    duration("serving.timeout", node.get("timeout"), d.timeout(), MAX_PREDICT_TIMEOUT, "10m");
            Scaling scaling = scaling(node.get("scaling"));
            Placement placement = placement(node.get("placement"));
            return new Serving(workers, maxBody, loadTimeout, timeout, scaling, placement);
        }

        /** Seconds as an integer, or {@code 90s}, {@code 2m}, {@code 1m30s}, {@code 1h}; between 1 s and {@code max}. */
        private Duration duration(String field, JsonNode node, Duration fallback, Duration max, String maxText) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            Duration duration = null;
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                duration = Duration.ofSeconds(node.asLong());
            } else if (node.isTextual()) {
                var matcher = DURATION.matcher(node.asText());
                if (!node.asText().isEmpty() && matcher.matches()) {
                    try {
                        duration = Duration.ZERO;
                        for (int unit = 1; unit <= 3; unit++) {
                            if (matcher.group(unit) != null) {
                                long amount = Long.parseLong(matcher.group(unit));
                                duration = duration.plusSeconds(
                                        Math.multiplyExact(amount, unit == 1 ? 3600 : unit == 2 ? 60 : 1));
                            }
                        }
                    } catch (NumberFormatException | ArithmeticException tooLarge) {
                        problem(field, "must be between 1s and " + maxText + ", was " + node.asText());
                        return fallback;
                    }
                }
            } else if (node.isIntegralNumber() || node.isFloatingPointNumber()) {
                problem(field, "must be between 1s and " + maxText + " in whole seconds, was " + node.asText());
                return fallback;
            }
            if (duration == null) {
                problem(field, "must be a duration such as 90s, 2m or 1m30s (or whole seconds), was " + kind(node));
                return fallback;
            }
            if (duration.isZero() || duration.isNegative() || duration.compareTo(max) > 0) {
                problem(field, "must be between 1s and " + maxText + ", was " + node.asText());
                return fallback;
            }
            return duration;
        }

        private Scaling scaling(JsonNode node) {
            Scaling d = Scaling.DEFAULT;
            if (node == null || node.isNull() || !mapping("serving.scaling", node, SCALING_FIELDS)) {
                return d;
            }
            String of = "a whole number of pods";
            int replicas = integer("serving.scaling.replicas", node.get("replicas"), 0, 1, MAX_REPLICAS, of);
            int min = integer("serving.scaling.min", node.get("min"), 0, 1, MAX_REPLICAS, of);
            int max = integer("serving.scaling.max", node.get("max"), 0, 1, MAX_REPLICAS, of);
            int target = integer(
                    "serving.scaling.targetCPU",
                    node.get("targetCPU"),
                    d.targetCpuPercent(),
                    1,
                    100,
                    "a percentage of the CPU request");
            if (present(node, "replicas")) {
                List<String> autoscaling = Stream.of("min", "max", "targetCPU")
                        .filter(field -> present(node, field))
                        .toList();
                if (!autoscaling.isEmpty()) {
                    problem(
                            "serving.scaling.replicas",
                            "a fixed count has no autoscaler: remove " + String.join(", ", autoscaling)
                                    + " or replicas");
                    return d;
                }
                return replicas == 0 ? d : Scaling.fixed(replicas);
            }
            if (min > 0 && max > 0 && max < min) {
                problem("serving.scaling.max", "must be ≥ min (" + min + "), was " + max);
                return d;
            }
            return new Scaling(
                    OptionalInt.empty(),
                    min == 0 ? OptionalInt.empty() : OptionalInt.of(min),
                    max == 0 ? OptionalInt.empty() : OptionalInt.of(max),
                    target);
        }

        private Placement placement(JsonNode node) {
            if (node == null || node.isNull() || !mapping("serving.placement", node, PLACEMENT_FIELDS)) {
                return Placement.DEFAULT;
            }
            Map<String, String> nodeSelector = new TreeMap<>();
            JsonNode selector = node.get("nodeSelector");
            if (selector != null && !selector.isNull()) {
                if (!selector.isObject()) {
                    problem(
                            "serving.placement.nodeSelector",
                            "must be a mapping of node labels, was " + kind(selector));
                } else {
                    selector.fields().forEachRemaining(entry -> {
                        String field = "serving.placement.nodeSelector." + entry.getKey();
                        String keyProblem = labelKeyProblem(entry.getKey());
                        JsonNode value = entry.getValue();
                        if (keyProblem != null) {
                            problem(field, keyProblem);
                        } else if (!value.isValueNode() || value.isNull()) {
                            problem(field, "must be a label value, was " + kind(value));
                        } else if (!labelValue(value.asText())) {
                            problem(
                                    field,
                                    "must be a label value (at most 63 letters, digits, '-', '_' or '.',"
                                            + " starting and ending with a letter or digit), was \"" + value.asText()
                                            + "\"");
                        } else {
                            nodeSelector.put(entry.getKey(), value.asText());
                        }
                    });
                }
            }
            List<Placement.Toleration> tolerations = new ArrayList<>();
            JsonNode list = node.get("tolerations");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) {
                    problem("serving.placement.tolerations", "must be a list of tolerations, was " + kind(list));
                } else {
                    for (int i = 0; i < list.size(); i++) {
                        toleration("serving.placement.tolerations[" + i + "]", list.get(i))
                                .ifPresent(tolerations::add);
                    }
                }
            }
            return new Placement(nodeSelector, tolerations);
        }

        /** The rules of Kubernetes' {@code ValidateTolerations} (core/validation), reported with our field path. */
        private Optional<Placement.Toleration> toleration(String field, JsonNode node) {
            if (!mapping(field, node, TOLERATION_FIELDS)) {
                return Optional.empty();
            }
            int before = problems.size();
            String key = optionalText(field + ".key", node.get("key"));
            String operator = optionalText(field + ".operator", node.get("operator"));
            String value = optionalText(field + ".value", node.get("value"));
            String effect = optionalText(field + ".effect", node.get("effect"));
            if (!key.isEmpty() && labelKeyProblem(key) != null) {
                problem(field + ".key", labelKeyProblem(key) + ", was \"" + key + "\"");
            }
            if (operator.isEmpty()) {
                operator = "Equal"; // the API's default
            } else if (!OPERATORS.contains(operator)) {
                problem(field + ".operator", "must be Equal or Exists, was \"" + operator + "\"");
            }
            if (key.isEmpty() && !operator.equals("Exists")) {
                problem(field + ".operator", "must be Exists when key is empty (which tolerates every taint)");
            }
            if (operator.equals("Exists") && !value.isEmpty()) {
                problem(field + ".value", "must be empty when operator is Exists, was \"" + value + "\"");
            } else if (!value.isEmpty() && !labelValue(value)) {
                problem(field + ".value", "must be a label value, was \"" + value + "\"");
            }
            if (!effect.isEmpty() && !EFFECTS.contains(effect)) {
                problem(field + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute, was \"" + effect + "\"");
            }
            OptionalLong seconds = OptionalLong.empty();
            JsonNode secondsNode = node.get("tolerationSeconds");
            if (secondsNode != null && !secondsNode.isNull()) {
                if (!secondsNode.isIntegralNumber() || !secondsNode.canConvertToLong()) {
                    problem(
                            field + ".tolerationSeconds",
                            "must be a whole number of seconds, was " + kind(secondsNode));
                } else if (!effect.equals("NoExecute")) {
                    problem(field + ".tolerationSeconds", "needs effect NoExecute (only NoExecute taints evict)");
                } else {
                    seconds = OptionalLong.of(secondsNode.asLong());
                }
            }
            return problems.size() > before
                    ? Optional.empty()
                    : Optional.of(new Placement.Toleration(key, operator, value, effect, seconds));
        }

        private String optionalText(String field, JsonNode node) {
            if (node == null || node.isNull()) {
                return "";
            }
            if (!node.isTextual()) {
                problem(field, "must be a string, was " + kind(node));
                return "";
            }
            return node.asText();
        }

        /** Why {@code key} is not a label key ({@code [prefix/]name}), or null when it is one. */
        private static String labelKeyProblem(String key) {
            int slash = key.lastIndexOf('/');
            String prefix = slash < 0 ? null : key.substring(0, slash);
            String name = key.substring(slash + 1);
            if (prefix != null
                    && (prefix.isEmpty()
                            || prefix.length() > 253
                            || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
                return "must be a label key: its prefix before '/' must be a DNS subdomain";
            }
            if (name.isEmpty()
                    || name.length() > 63
                    || !LABEL_VALUE.matcher(name).matches()) {
                return "must be a label key ([prefix/]name, the name at most 63 letters, digits, '-', '_' or '.',"
                        + " starting and ending with a letter or digit)";
            }
            return null;
        }

        private static boolean labelValue(String value) {
            return value.isEmpty()
                    || (value.length() <= 63 && LABEL_VALUE.matcher(value).matches());
        }

        private static boolean present(JsonNode node, String field) {
            return node.has(field) && !node.get(field).isNull();
        }

        /** An integer between {@code min} and {@code max}; {@code fallback} when absent or wrong (reported). */
        private int integer(String field, JsonNode node, int fallback, int min, int max, String what) {
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                problem(field, "must be " + what + ", was " + kind(node));
                return fallback;
            }
            if (node.asInt() < min || node.asInt() > max) {
                problem(field, "must be between " + min + " and " + max + ", was " + node.asText());
                return fallback;
            }
            return node.asInt();
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
