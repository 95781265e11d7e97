//! POST /videos/{id}/complete: verify the upload, publish it, and ask for its ladder when needed.
use vidlet::handlers::complete::CompleteVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::store::transcoders::Transcoders;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let complete = CompleteVideo {
        sessions: db.clone(),
        videos: db.clone(),
        uploads: bucket.scoped(VIDEOS),
        objects: bucket.scoped(VIDEOS),
        settle: db,
        transcoder: Transcoders::from_env(&config),
        config,
    };
    runtime::serve("complete-video", complete).await
}
