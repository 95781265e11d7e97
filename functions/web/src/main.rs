//! GET / (and the page's other paths), GET /assets/{file}, and the share links
//! GET /v/{id} and /u/{username}: the page with the card of what it shows.
use vidlet::handlers::web::Site;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    // One read for a card: GetItem on videos (/v/{id}) or users (/u/{username}).
    let db = Dynamo::from_env(&config);
    let site = Site {
        s3_origin: config.s3_origin,
        site_origin: config.site_origin,
        origin_verify_secret: config.origin_verify_secret,
        videos: db.clone(),
        users: db,
    };
    runtime::serve("web", site).await
}
