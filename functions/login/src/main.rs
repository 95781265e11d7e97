//! POST /sessions: log in.
use vidlet::handlers::accounts::Login;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let login = Login { users: db.clone(), devices: db.clone(), sessions: db.clone(), throttle: db, config };
    runtime::serve("login", login).await
}
