//! DELETE /users/{username}: delete your own account.
use vidlet::handlers::delete_user::DeleteUser;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let delete_user = DeleteUser {
        sessions: db.clone(),
        devices: db.clone(),
        throttle: db.clone(),
        owned: db.clone(),
        videos: db.clone(),
        remover: db.clone(),
        accounts: db,
        config,
    };
    runtime::serve("delete-user", delete_user).await
}
