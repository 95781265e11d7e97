//! DELETE /sessions/current: log out.
use vidlet::handlers::accounts::logout;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("logout", |app, req| async move { logout(&app, req).await }).await
}
