//! PATCH /videos/{id}: edit your video's name, description or privacy.
use vidlet::handlers::edit::UpdateVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let update = UpdateVideo { sessions: db.clone(), editor: db };
    runtime::serve("update-video", update).await
}
