# Fuel economy (mpg) from weight (1000 lbs) and horsepower, fitted on R's built-in mtcars data.
# Writes model.rds next to this script.
args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script) == 1) dirname(normalizePath(script)) else getwd()
fit <- lm(mpg ~ wt + hp, data = mtcars)
target <- file.path(here, "model.rds")
saveRDS(fit, target, version = 3)
cat(sprintf("trained mtcars lm: R^2 %.3f, wrote %s\n", summary(fit)$r.squared, target))
