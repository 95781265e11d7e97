//! A test's own tables and bucket, and its handlers wired to them.

use lambda_http::{Body, Request, Response};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use vidlet::config::Config;
use vidlet::domain::playback::TranscodeMode;
use vidlet::domain::view::Clock;
use vidlet::handlers::accounts::{GetUser, Login, Logout, Me, Register};
use vidlet::handlers::comments::{CreateComment, DeleteComment, ListComments};
use vidlet::handlers::complete::CompleteVideo;
use vidlet::handlers::delete_user::DeleteUser;
use vidlet::handlers::edit::UpdateVideo;
use vidlet::handlers::fallback::Fallback;
use vidlet::handlers::follows::{FollowUser, FollowingFeed, ListFollowing, UnfollowUser};
use vidlet::handlers::likes::{LikeVideo, UnlikeVideo};
use vidlet::handlers::media::{CountView, StreamVideo};
use vidlet::handlers::playback::GetPlayback;
use vidlet::handlers::playlist::GetPlaylist;
use vidlet::handlers::posters::{CompletePoster, CreatePoster, GetPoster};
use vidlet::handlers::search::SearchVideos;
use vidlet::handlers::sweep::Sweep;
use vidlet::handlers::transcode_events::{JobEvent, TranscodeEvents};
use vidlet::handlers::uploads::{CreateVideo, GetUpload, UploadParts};
use vidlet::handlers::videos::{DeleteVideo, GetVideo, ListUserVideos, ListVideos};
use vidlet::handlers::web::Site;
use vidlet::ports::PlaybackCookies;
use vidlet::runtime::respond;
use vidlet::store::cloudfront::LocalPlayback;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::ffmpeg::{EventSink, Ffmpeg};
use vidlet::store::s3::{Bucket, Objects, MEDIA, POSTERS, RENDITIONS, VIDEOS};
use vidlet::store::transcoders::Transcoders;

use crate::{Handler, TestResponse};

static TEMPLATE: OnceLock<infra::template::Template> = OnceLock::new();

pub fn template() -> &'static infra::template::Template {
    TEMPLATE.get_or_init(|| {
        infra::template::Template::load(&infra::repo_root().join("template.yaml")).expect("template.yaml loads")
    })
}

/// A test's own tables and bucket, and the adapters on them.
pub struct TestApp {
    pub config: Config,
    pub db: Dynamo,
    pub bucket: Bucket,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
}

/// A short unique id, safe in table and bucket names.
pub fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

impl TestApp {
    /// Fresh tables and bucket with a unique prefix, from template.yaml.
    pub async fn new() -> Self {
        Self::with_config(Config::default()).await
    }

    /// Transcoding is off here (every verified upload is ready at once), so
    /// that tests of other things never wait for ffmpeg; `transcoding` turns it on.
    pub async fn with_config(config: Config) -> Self {
        Self::on(vidlet::store::client::dynamodb(), vidlet::store::client::s3(), config).await
    }

    /// With `config.transcode_mode` as given, and the ffmpeg transcoder.
    pub async fn transcoding(config: Config) -> Self {
        Self::on_stack(vidlet::store::client::dynamodb(), vidlet::store::client::s3(), config).await
    }

    /// Like `with_config`, on given clients (another DynamoDB endpoint, say).
    pub async fn on(dynamodb: aws_sdk_dynamodb::Client, s3: aws_sdk_s3::Client, config: Config) -> Self {
        Self::on_stack(dynamodb, s3, Config { transcode_mode: TranscodeMode::Off, ..config }).await
    }

    async fn on_stack(dynamodb: aws_sdk_dynamodb::Client, s3: aws_sdk_s3::Client, mut config: Config) -> Self {
        let id = unique();
        let prefix = format!("t{id}_");
        config = config.with_table_prefix(&prefix);
        config.bucket = format!("vidlet-test-{id}");
        // Idempotent, so tried again: a LocalStack just started on a busy machine can take
        // longer than the clients' 8 s operation timeout for its first buckets.
        let mut attempt = 1;
        while let Err(e) =
            infra::bootstrap::bootstrap(&dynamodb, &s3, template(), &prefix, &config.bucket, &HashMap::new()).await
        {
            assert!(attempt < 3, "cannot bootstrap the local stack (is it running? `make test` starts it): {e:?}");
            attempt += 1;
        }
        let db = Dynamo::new(dynamodb.clone(), &config);
        let bucket = Bucket::new(s3.clone(), &config);
        TestApp { config, db, bucket, dynamodb, s3 }
    }

    /// The local transcoder, wired as `make dev` wires complete-video's, but
    /// its events handed to `transcode-events`' handler in this process.
    pub fn transcoder(&self) -> Transcoders {
        let (db, config) = (self.db.clone(), self.config.clone());
        let events = EventSink::in_process(move |event: JobEvent| {
            let handler = TranscodeEvents { videos: db.clone(), queue: db.clone(), config: config.clone() };
            async move { handler.handle(&event).await.map(|summary| summary.result.to_owned()).map_err(|e| e.cause()) }
        });
        Transcoders::Ffmpeg(Ffmpeg::from_env(&self.config).with_events(events))
    }

    /// Every object a deletion record may name.
    pub fn media(&self) -> Objects {
        self.bucket.scoped(MEDIA)
    }

    /// The sweep, wired as its function wires it.
    pub fn sweep(&self) -> Sweep<Dynamo, Dynamo, Objects, Objects, Dynamo, Dynamo> {
        Sweep {
            pending: self.db.clone(),
            queue: self.db.clone(),
            uploads: self.bucket.scoped(VIDEOS),
            objects: self.media(),
            comments: self.db.clone(),
            accounts: self.db.clone(),
            config: self.config.clone(),
        }
    }

    /// Calls a handler the way the runtime does, error mapping included, wired
    /// to this test's tables and bucket as its function's `main` wires it.
    pub async fn call(&self, handler: Handler, req: Request) -> TestResponse {
        let (db, config) = (self.db.clone(), self.config.clone());
        let response = match handler {
            Handler::Register => respond("test", &Register { accounts: db, config }, req).await,
            Handler::Login => {
                let h = Login { users: db.clone(), devices: db.clone(), sessions: db.clone(), throttle: db, config };
                respond("test", &h, req).await
            }
            Handler::Logout => respond("test", &Logout { sessions: db }, req).await,
            Handler::Me => respond("test", &Me { sessions: db, config }, req).await,
            Handler::GetUser => respond("test", &GetUser { users: db }, req).await,
            Handler::DeleteUser => {
                let h = DeleteUser {
                    sessions: db.clone(),
                    devices: db.clone(),
                    throttle: db.clone(),
                    owned: db.clone(),
                    videos: db.clone(),
                    remover: db.clone(),
                    accounts: db,
                    config,
                };
                respond("test", &h, req).await
            }
            Handler::CreateVideo => {
                let h = CreateVideo { sessions: db.clone(), uploads: self.bucket.scoped(VIDEOS), videos: db, config };
                respond("test", &h, req).await
            }
            Handler::UploadParts => {
                let h = UploadParts { sessions: db.clone(), videos: db, part_urls: self.bucket.scoped(VIDEOS), config };
                respond("test", &h, req).await
            }
            Handler::GetUpload => {
                let h = GetUpload { sessions: db.clone(), videos: db, parts: self.bucket.scoped(VIDEOS) };
                respond("test", &h, req).await
            }
            Handler::CompleteVideo => {
                let h = CompleteVideo {
                    sessions: db.clone(),
                    videos: db.clone(),
                    uploads: self.bucket.scoped(VIDEOS),
                    objects: self.bucket.scoped(VIDEOS),
                    settle: db,
                    transcoder: self.transcoder(),
                    config,
                };
                Box::pin(respond("test", &h, req)).await
            }
            Handler::GetVideo => {
                let h =
                    GetVideo { sessions: db.clone(), videos: db, download_urls: self.bucket.scoped(VIDEOS), config };
                respond("test", &h, req).await
            }
            Handler::ListVideos => respond("test", &ListVideos { feed: db }, req).await,
            Handler::SearchVideos => respond("test", &SearchVideos { search: db }, req).await,
            Handler::ListUserVideos => respond("test", &ListUserVideos { sessions: db.clone(), videos: db }, req).await,
            Handler::DeleteVideo => {
                respond("test", &DeleteVideo { sessions: db.clone(), videos: db.clone(), remover: db, config }, req)
                    .await
            }
            Handler::UpdateVideo => respond("test", &UpdateVideo { sessions: db.clone(), editor: db }, req).await,
            Handler::StreamVideo => {
                let h =
                    StreamVideo { sessions: db.clone(), videos: db, download_urls: self.bucket.scoped(VIDEOS), config };
                respond("test", &h, req).await
            }
            Handler::GetPlayback | Handler::GetPlaylist => self.call_playback(handler, req).await,
            Handler::CountView => {
                respond("test", &CountView { sessions: db.clone(), views: db, config, clock: Clock::System }, req).await
            }
            Handler::LikeVideo => respond("test", &LikeVideo { sessions: db.clone(), likes: db }, req).await,
            Handler::UnlikeVideo => respond("test", &UnlikeVideo { sessions: db.clone(), likes: db }, req).await,
            Handler::FollowUser | Handler::UnfollowUser | Handler::ListFollowing | Handler::FollowingFeed => {
                self.call_follows(handler, req).await
            }
            Handler::CreatePoster => {
                let h = CreatePoster {
                    sessions: db.clone(),
                    posters: db,
                    upload_urls: self.bucket.scoped(POSTERS),
                    config,
                };
                respond("test", &h, req).await
            }
            Handler::CompletePoster => {
                let h =
                    CompletePoster { sessions: db.clone(), posters: db, objects: self.bucket.scoped(POSTERS), config };
                respond("test", &h, req).await
            }
            Handler::GetPoster => {
                let h =
                    GetPoster { sessions: db.clone(), videos: db, download_urls: self.bucket.scoped(POSTERS), config };
                respond("test", &h, req).await
            }
            Handler::CreateComment => respond("test", &CreateComment { sessions: db.clone(), comments: db }, req).await,
            Handler::ListComments => {
                respond("test", &ListComments { sessions: db.clone(), videos: db.clone(), comments: db }, req).await
            }
            Handler::DeleteComment => respond("test", &DeleteComment { sessions: db.clone(), comments: db }, req).await,
            Handler::Fallback => respond("test", &Fallback, req).await,
            Handler::Site => {
                let h = Site {
                    s3_origin: config.s3_origin,
                    site_origin: config.site_origin,
                    origin_verify_secret: config.origin_verify_secret,
                    videos: db.clone(),
                    users: db,
                };
                // Boxed: its two readers' futures would grow every caller's by their size.
                Box::pin(respond("test", &h, req)).await
            }
        };
        TestResponse::from(response)
    }
}

impl TestApp {
    /// The following routes, boxed apart: `call`'s frame is near a debug test thread's stack size.
    fn call_follows(
        &self,
        handler: Handler,
        req: Request,
    ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
        let (db, config) = (self.db.clone(), self.config.clone());
        Box::pin(async move {
            match handler {
                Handler::FollowUser => {
                    respond("test", &FollowUser { sessions: db.clone(), follows: db, config }, req).await
                }
                Handler::UnfollowUser => {
                    respond("test", &UnfollowUser { sessions: db.clone(), follows: db }, req).await
                }
                Handler::ListFollowing => {
                    respond("test", &ListFollowing { sessions: db.clone(), follows: db }, req).await
                }
                Handler::FollowingFeed => respond("test", &FollowingFeed { sessions: db.clone(), feed: db }, req).await,
                other => unreachable!("{other:?} is not a following route"),
            }
        })
    }
}

impl TestApp {
    /// get-playback as its function wires it, with these cookies (`LocalPlayback`
    /// as without a key; a `CloudFrontCookies` as on AWS).
    pub fn get_playback<C: PlaybackCookies>(&self, cookies: C) -> GetPlayback<Dynamo, Dynamo, Objects, C> {
        GetPlayback {
            sessions: self.db.clone(),
            videos: self.db.clone(),
            download_urls: self.bucket.scoped(VIDEOS),
            cookies,
            config: self.config.clone(),
        }
    }

    /// Calls a handler built by the test, through the runtime's response path.
    pub async fn call_with<H: vidlet::handlers::Handler>(&self, handler: &H, req: Request) -> TestResponse {
        TestResponse::from(respond("test", handler, req).await)
    }

    /// The playback routes, boxed apart like the following routes.
    fn call_playback(
        &self,
        handler: Handler,
        req: Request,
    ) -> Pin<Box<dyn Future<Output = Response<Body>> + Send + '_>> {
        Box::pin(async move {
            match handler {
                Handler::GetPlayback => respond("test", &self.get_playback(LocalPlayback), req).await,
                Handler::GetPlaylist => {
                    let renditions = self.bucket.scoped(RENDITIONS);
                    let h = GetPlaylist {
                        sessions: self.db.clone(),
                        videos: self.db.clone(),
                        playlists: renditions.clone(),
                        segment_urls: renditions,
                        config: self.config.clone(),
                    };
                    respond("test", &h, req).await
                }
                other => unreachable!("{other:?} is not a playback route"),
            }
        })
    }
}
