//! GET /videos/{id}/stream: redirect to a presigned, range-capable GET.
use vidlet::handlers::media::StreamVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let stream = StreamVideo { sessions: db.clone(), videos: db, download_urls: bucket.scoped(VIDEOS), config };
    runtime::serve("stream-video", stream).await
}
