//! GET /users/{username}: a public profile.
use vidlet::handlers::accounts::get_user;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("get-user", |app, req| async move { get_user(&app, req).await }).await
}
