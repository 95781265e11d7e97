//! GET /me: the session's user.
use vidlet::handlers::accounts::me;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("me", |app, req| async move { me(&app, req).await }).await
}
