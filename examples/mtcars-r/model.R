# Serving side of train.R: the harness calls predict(df) with one row per instance.
fit <- readRDS("model.rds")

predict <- function(df) {
  stats::predict(fit, newdata = df)
}
