# Peer for bench/serving.sh: the mtcars model behind plain plumber (httpuv), same request and response shape.
setwd(Sys.getenv("MODEL_DIR"))
fit <- readRDS("model.rds")

#* @post /predict
#* @serializer unboxedJSON
function(req) {
  body <- jsonlite::fromJSON(req$postBody, simplifyVector = TRUE)
  list(predictions = unname(stats::predict(fit, newdata = as.data.frame(body$instances))))
}
