//! POST /users: register and get a session.
use vidlet::handlers::accounts::register;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("register", |app, req| async move { register(&app, req).await }).await
}
