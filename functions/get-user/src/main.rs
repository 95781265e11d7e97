//! GET /users/{username}: a public profile.
use vidlet::handlers::accounts::GetUser;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("get-user", GetUser { users: db }).await
}
