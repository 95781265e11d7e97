//! GET / and GET /assets/{file}: the site's page and assets, embedded.
use vidlet::handlers::web::site;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("web", |app, req| async move { site(&app, req).await }).await
}
