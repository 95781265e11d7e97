//! POST /videos: create a video and get a presigned upload.
use vidlet::handlers::uploads::CreateVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let create = CreateVideo { sessions: db.clone(), uploads: bucket.scoped(VIDEOS), videos: db, config };
    runtime::serve("create-video", create).await
}
