//! DELETE /videos/{id}: delete your video.
use vidlet::handlers::videos::DeleteVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let delete = DeleteVideo { sessions: db.clone(), videos: db.clone(), remover: db, config };
    runtime::serve("delete-video", delete).await
}
