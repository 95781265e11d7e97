//! GET /videos/{id}/hls/{file}: a playlist of the ladder, its segments presigned.
use vidlet::handlers::playlist::GetPlaylist;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, RENDITIONS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let renditions = Bucket::from_env(&config).scoped(RENDITIONS);
    let playlist = GetPlaylist {
        sessions: db.clone(),
        videos: db,
        playlists: renditions.clone(),
        segment_urls: renditions,
        config,
    };
    runtime::serve("get-playlist", playlist).await
}
