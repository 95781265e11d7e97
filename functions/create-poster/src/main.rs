//! POST /videos/{id}/poster: a presigned upload for the poster.
use vidlet::handlers::videos::create_poster;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("create-poster", |app, req| async move { create_poster(&app, req).await }).await
}
