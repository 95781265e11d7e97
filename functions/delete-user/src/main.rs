//! DELETE /users/{username}: delete your own account.
use vidlet::handlers::accounts::delete_user;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("delete-user", |app, req| async move { delete_user(&app, req).await }).await
}
