//! Test support: each test gets its own tables and bucket in the local stack,
//! and calls handlers through the same response path as the Lambda runtime.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use http::StatusCode;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;
use vidlet::config::Config;
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
use vidlet::handlers::posters::{CompletePoster, CreatePoster, GetPoster};
use vidlet::handlers::search::SearchVideos;
use vidlet::handlers::sweep::Sweep;
use vidlet::handlers::uploads::{CreateVideo, GetUpload, UploadParts};
use vidlet::handlers::videos::{DeleteVideo, GetVideo, ListUserVideos, ListVideos};
use vidlet::handlers::web::Site;
use vidlet::runtime::respond;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, Objects, MEDIA, POSTERS, VIDEOS};

pub mod faults;
pub mod http_front;
pub mod round_trips;

pub use faults::{FaultyLink, PrivateDynamoDb};

pub use serde_json::json;

/// Every route's handler, for tests that call them by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    Register,
    Login,
    Logout,
    Me,
    GetUser,
    DeleteUser,
    CreateVideo,
    UploadParts,
    GetUpload,
    CompleteVideo,
    GetVideo,
    ListVideos,
    SearchVideos,
    ListUserVideos,
    DeleteVideo,
    UpdateVideo,
    StreamVideo,
    CountView,
    LikeVideo,
    UnlikeVideo,
    FollowUser,
    UnfollowUser,
    ListFollowing,
    FollowingFeed,
    CreatePoster,
    CompletePoster,
    GetPoster,
    CreateComment,
    ListComments,
    DeleteComment,
    Fallback,
    Site,
}

/// `handler!(accounts::login)`: the route's handler, as the library names it.
#[macro_export]
macro_rules! handler {
    (accounts::register) => {
        $crate::Handler::Register
    };
    (accounts::login) => {
        $crate::Handler::Login
    };
    (accounts::logout) => {
        $crate::Handler::Logout
    };
    (accounts::me) => {
        $crate::Handler::Me
    };
    (accounts::get_user) => {
        $crate::Handler::GetUser
    };
    (accounts::delete_user) => {
        $crate::Handler::DeleteUser
    };
    (videos::create_video) => {
        $crate::Handler::CreateVideo
    };
    (uploads::upload_parts) => {
        $crate::Handler::UploadParts
    };
    (uploads::get_upload) => {
        $crate::Handler::GetUpload
    };
    (videos::complete_video) => {
        $crate::Handler::CompleteVideo
    };
    (videos::get_video) => {
        $crate::Handler::GetVideo
    };
    (videos::list_videos) => {
        $crate::Handler::ListVideos
    };
    (videos::search_videos) => {
        $crate::Handler::SearchVideos
    };
    (videos::list_user_videos) => {
        $crate::Handler::ListUserVideos
    };
    (videos::delete_video) => {
        $crate::Handler::DeleteVideo
    };
    (videos::update_video) => {
        $crate::Handler::UpdateVideo
    };
    (videos::stream_video) => {
        $crate::Handler::StreamVideo
    };
    (videos::count_view) => {
        $crate::Handler::CountView
    };
    (videos::like_video) => {
        $crate::Handler::LikeVideo
    };
    (videos::unlike_video) => {
        $crate::Handler::UnlikeVideo
    };
    (follows::follow_user) => {
        $crate::Handler::FollowUser
    };
    (follows::unfollow_user) => {
        $crate::Handler::UnfollowUser
    };
    (follows::list_following) => {
        $crate::Handler::ListFollowing
    };
    (follows::following_feed) => {
        $crate::Handler::FollowingFeed
    };
    (videos::create_poster) => {
        $crate::Handler::CreatePoster
    };
    (videos::complete_poster) => {
        $crate::Handler::CompletePoster
    };
    (videos::get_poster) => {
        $crate::Handler::GetPoster
    };
    (comments::create_comment) => {
        $crate::Handler::CreateComment
    };
    (comments::list_comments) => {
        $crate::Handler::ListComments
    };
    (comments::delete_comment) => {
        $crate::Handler::DeleteComment
    };
    (fallback::fallback) => {
        $crate::Handler::Fallback
    };
    (web::site) => {
        $crate::Handler::Site
    };
}

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

    pub async fn with_config(config: Config) -> Self {
        Self::on(vidlet::store::client::dynamodb(), vidlet::store::client::s3(), config).await
    }

    /// Like `with_config`, on given clients (another DynamoDB endpoint, say).
    pub async fn on(dynamodb: aws_sdk_dynamodb::Client, s3: aws_sdk_s3::Client, mut config: Config) -> Self {
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
                    config,
                };
                respond("test", &h, req).await
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

/// A request builder for handler calls.
#[derive(Clone)]
pub struct Req {
    method: &'static str,
    path: String,
    body: Option<Vec<u8>>,
    headers: Vec<(String, String)>,
    path_params: HashMap<String, String>,
    query: HashMap<String, String>,
    source_ip: String,
}

impl Req {
    pub fn new(method: &'static str, path: &str) -> Self {
        Req {
            method,
            path: path.into(),
            body: None,
            headers: vec![],
            path_params: HashMap::new(),
            source_ip: "192.0.2.1".into(),
            query: HashMap::new(),
        }
    }
    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }
    pub fn head(path: &str) -> Self {
        Self::new("HEAD", path)
    }
    pub fn post(path: &str) -> Self {
        Self::new("POST", path)
    }
    pub fn delete(path: &str) -> Self {
        Self::new("DELETE", path)
    }
    pub fn json(mut self, value: Value) -> Self {
        self.body = Some(serde_json::to_vec(&value).unwrap());
        self
    }
    pub fn raw_body(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some(bytes.into());
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.path_params.insert(name.into(), value.into());
        self
    }
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.into(), value.into());
        self
    }
    /// The address API Gateway reports as the caller's (192.0.2.1 unless set).
    pub fn source_ip(mut self, ip: &str) -> Self {
        self.source_ip = ip.into();
        self
    }
    pub fn build(self) -> Request {
        let mut builder = http::Request::builder().method(self.method).uri(format!("http://localhost{}", self.path));
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let body = self.body.map(Body::Binary).unwrap_or(Body::Empty);
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some(self.source_ip);
        builder
            .body(body)
            .unwrap()
            .with_path_parameters(self.path_params)
            .with_query_string_parameters(self.query)
            .with_request_context(RequestContext::ApiGatewayV2(context))
    }
}

#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: http::HeaderMap,
    /// The JSON body (Null when empty or not JSON).
    pub body: Value,
    pub raw: Vec<u8>,
}

impl From<Response<Body>> for TestResponse {
    fn from(response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let raw: Vec<u8> = body.as_ref().to_vec();
        // An answer to HEAD has a JSON content type and no body.
        let is_json = parts.headers.get("content-type").is_some_and(|v| v == "application/json") && !raw.is_empty();
        let body = if is_json { serde_json::from_slice(&raw).expect("valid JSON body") } else { Value::Null };
        TestResponse { status: parts.status, headers: parts.headers, body, raw }
    }
}

impl TestResponse {
    /// Asserts an error in the project's model: status and code.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status, body: {}", self.body);
        assert_eq!(self.body["error_code"], code, "unexpected error code, body: {}", self.body);
        assert!(self.body["error"].as_str().is_some_and(|m| !m.is_empty()), "error message missing: {}", self.body);
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status, body: {}", self.body);
        &self.body
    }
}

/// A committed fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = infra::repo_root().join("tests").join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An HTTP client for presigned URLs; it never follows redirects by itself.
pub fn http_client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap())
        .clone()
}
