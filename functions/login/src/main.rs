//! POST /sessions: log in.
use vidlet::handlers::accounts::login;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("login", |app, req| async move { login(&app, req).await }).await
}
