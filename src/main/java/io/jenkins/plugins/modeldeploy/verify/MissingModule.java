package io.jenkins.plugins.modeldeploy.verify;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A module or package the model imports that its environment does not have, read from the model's log, and the
 * packages that would provide it where they are known.
 *
 * @param language  {@code python} or {@code r}
 * @param module    what the model imported, as the error names it ({@code sklearn.ensemble}, {@code glue})
 * @param file      the model's file that imported it ({@code model.py}), when the log shows it
 * @param pip       the pip (or, for R, the CRAN) package that provides it, when known
 * @param debian    the Debian package that provides it, when known
 */
public record MissingModule(
        String language, String module, Optional<String> file, Optional<String> pip, Optional<String> debian) {

    public MissingModule {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(pip, "pip");
        Objects.requireNonNull(debian, "debian");
    }

    /** Import name → {pip distribution, Debian package (bookworm), empty when Debian has none}. */
    static final Map<String, List<String>> PYTHON_PACKAGES = Map.ofEntries(
            Map.entry("sklearn", List.of("scikit-learn", "python3-sklearn")),
            Map.entry("yaml", List.of("PyYAML", "python3-yaml")),
            Map.entry("PIL", List.of("Pillow", "python3-pil")),
            Map.entry("cv2", List.of("opencv-python-headless", "python3-opencv")),
            Map.entry("pandas", List.of("pandas", "python3-pandas")),
            Map.entry("numpy", List.of("numpy", "python3-numpy")),
            Map.entry("scipy", List.of("scipy", "python3-scipy")),
            Map.entry("xgboost", List.of("xgboost", "python3-xgboost")),
            Map.entry("lightgbm", List.of("lightgbm", "")),
            Map.entry("catboost", List.of("catboost", "")),
            Map.entry("torch", List.of("torch", "python3-torch")),
            Map.entry("tensorflow", List.of("tensorflow", "")),
            Map.entry("onnxruntime", List.of("onnxruntime", "")),
            Map.entry("joblib", List.of("joblib", "python3-joblib")),
            Map.entry("statsmodels", List.of("statsmodels", "python3-statsmodels")),
            Map.entry("skimage", List.of("scikit-image", "python3-skimage")),
            Map.entry("bs4", List.of("beautifulsoup4", "python3-bs4")),
            Map.entry("dateutil", List.of("python-dateutil", "python3-dateutil")),
            Map.entry("requests", List.of("requests", "python3-requests")),
            Map.entry("matplotlib", List.of("matplotlib", "python3-matplotlib")),
            Map.entry("seaborn", List.of("seaborn", "python3-seaborn")),
            Map.entry("rpy2", List.of("rpy2", "python3-rpy2")),
            Map.entry("sympy", List.of("sympy", "python3-sympy")),
            Map.entry("networkx", List.of("networkx", "python3-networkx")),
            Map.entry("pydantic", List.of("pydantic", "python3-pydantic")),
            Map.entry("h5py", List.of("h5py", "python3-h5py")),
            Map.entry("lxml", List.of("lxml", "python3-lxml")),
            Map.entry("numba", List.of("numba", "python3-numba")),
            Map.entry("nltk", List.of("nltk", "python3-nltk")),
            Map.entry("shap", List.of("shap", "")),
            Map.entry("tqdm", List.of("tqdm", "python3-tqdm")),
            Map.entry("jsonschema", List.of("jsonschema", "python3-jsonschema")));

    private static final Pattern PYTHON = Pattern.compile("No module named '([^']+)'");
    /** R's message, with typographic quotes in a UTF-8 locale and plain ones in C. */
    private static final Pattern R = Pattern.compile("there is no package called [‘'`]([^’'`]+)[’'`]");

    private static final Pattern TRACEBACK_FILE = Pattern.compile("File \"([^\"]+)\", line \\d+");

    /**
     * The first missing module the log names, or empty. The file is the last traceback frame before the error that is
     * not the interpreter's or the harness's own.
     */
    public static Optional<MissingModule> find(List<String> log) {
        String file = null;
        for (String line : log) {
            Matcher frame = TRACEBACK_FILE.matcher(line);
            if (frame.find() && isModelFile(frame.group(1))) {
                file = fileName(frame.group(1));
            }
            Matcher python = PYTHON.matcher(line);
            if (python.find()) {
                return Optional.of(python(python.group(1), Optional.ofNullable(file)));
            }
            Matcher r = R.matcher(line);
            if (r.find()) {
                return Optional.of(r(r.group(1), Optional.ofNullable(file)));
            }
        }
        return Optional.empty();
    }

    /** A Python module, with the packages of its top-level name ({@code sklearn} for {@code sklearn.ensemble}). */
    public static MissingModule python(String module, Optional<String> file) {
        String top = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
        List<String> known = PYTHON_PACKAGES.get(top);
        if (known == null) {
            return new MissingModule("python", module, file, Optional.empty(), Optional.empty());
        }
        return new MissingModule(
                "python",
                module,
                file,
                Optional.of(known.get(0)),
                known.get(1).isEmpty() ? Optional.empty() : Optional.of(known.get(1)));
    }

    /** An R package: from CRAN by its name, or Debian's {@code r-cran-<name in lower case>}. */
    public static MissingModule r(String name, Optional<String> file) {
        return new MissingModule(
                "r", name, file, Optional.of(name), Optional.of("r-cran-" + name.toLowerCase(Locale.ROOT)));
    }

    /**
     * What went wrong and what to declare, e.g. {@code model.py: No module named 'pandas' — declare it in
     * environment.requirements (pip: pandas) or environment.debian (python3-pandas)}.
     */
    public String describe() {
        String where = file.map(f -> f + ": ").orElse("");
        if (language.equals("r")) {
            return where + "there is no package called '" + module + "' — declare it in environment.r.packages ("
                    + pip.orElse(module) + ") or environment.debian (" + debian.orElse("r-cran-" + module) + ")";
        }
        String problem = where + "No module named '" + module + "'";
        if (pip.isEmpty()) {
            return problem + " — declare the package that provides it in environment.requirements (pip) or"
                    + " environment.debian";
        }
        return problem + " — declare it in environment.requirements (pip: " + pip.get() + ")"
                + debian.map(d -> " or environment.debian (" + d + ")").orElse("");
    }

    private static boolean isModelFile(String path) {
        return !path.startsWith("<")
                && !path.contains("/mdharness/")
                && !path.contains("/lib/python3")
                && !path.contains("/site-packages/")
                && !path.contains("/dist-packages/")
                && !path.contains("/deps/");
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
