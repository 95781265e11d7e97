//! GET /me: the session's user.
use vidlet::handlers::accounts::Me;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("me", Me { sessions: db, config }).await
}
