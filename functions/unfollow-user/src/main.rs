//! DELETE /users/{username}/follow: stop following a user (idempotent).
use vidlet::handlers::follows::UnfollowUser;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let unfollow = UnfollowUser { sessions: db.clone(), follows: db };
    runtime::serve("unfollow-user", unfollow).await
}
