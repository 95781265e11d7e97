//! GET /videos/{id}: a video, with a presigned stream URL when it is ready.
use vidlet::handlers::videos::GetVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let get = GetVideo { sessions: db.clone(), videos: db, download_urls: bucket.scoped(VIDEOS), config };
    runtime::serve("get-video", get).await
}
