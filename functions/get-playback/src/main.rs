//! GET /videos/{id}/playback: the ladder (signed cookies on AWS) or the original.
use vidlet::handlers::playback::GetPlayback;
use vidlet::store::cloudfront::Playback;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let playback = GetPlayback {
        sessions: db.clone(),
        videos: db,
        download_urls: bucket.scoped(VIDEOS),
        cookies: Playback::from_env(&config),
        config,
    };
    runtime::serve("get-playback", playback).await
}
