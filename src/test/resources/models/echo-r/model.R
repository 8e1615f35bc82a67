# Test model: mpg-like linear function of wt and hp; an instance with wt < 0 makes it fail; wt == 999 answers Inf and
# wt == 998 NaN (non-finite outputs the harness must refuse). mpg-python is its Python twin.
predict <- function(df) {
  if (any(df$wt < 0)) stop("weight must not be negative")
  ifelse(df$wt == 999, Inf, ifelse(df$wt == 998, NaN, 37.2 - 3.88 * df$wt - 0.0318 * df$hp))
}
