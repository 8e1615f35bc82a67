# Test model: mpg-like linear function of wt and hp; an instance with wt < 0 makes it fail.
predict <- function(df) {
  if (any(df$wt < 0)) stop("weight must not be negative")
  37.2 - 3.88 * df$wt - 0.0318 * df$hp
}
