//! GET / and GET /assets/{file}: the site's page and assets, embedded.
use vidlet::handlers::web::Site;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // No AWS client: the page only names the bucket's origin in its CSP.
    let site = Site { s3_origin: Config::from_env().s3_origin };
    runtime::serve("web", site).await
}
