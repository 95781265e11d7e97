//! Hello world on lambda_http, served the way the route functions serve
//! (`run_concurrent`): the baseline the bench compares their cold starts to.
use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run_concurrent(service_fn(|_req: Request| async {
        Ok::<_, Error>(Response::builder().status(200).header("content-type", "text/plain").body(Body::from("hello"))?)
    }))
    .await
}
