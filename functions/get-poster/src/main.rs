//! GET /videos/{id}/poster: redirect to the poster.
use vidlet::handlers::videos::get_poster;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("get-poster", |app, req| async move { get_poster(&app, req).await }).await
}
