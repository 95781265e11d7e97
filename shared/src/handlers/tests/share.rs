//! The site's share cards on fakes: a storage fault still serves the page, with
//! the site's card; the page's other paths read nothing.

use lambda_http::{Body, Request, RequestExt};

use super::fakes::Memory;
use crate::access::Access;
use crate::domain::account::{User, Username};
use crate::domain::video::{Privacy, Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::handlers::share::Card;
use crate::handlers::web::Site;
use crate::handlers::Handler;
use crate::ports::{UserReader, VideoReader};

/// Storage that is down.
struct Down;

impl VideoReader for Down {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_video(&self, _: &str) -> ApiResult<Option<Video>> {
        Err(ApiError::unavailable("GetItem videos", "connection refused"))
    }
}

impl UserReader for Down {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_user(&self, _: &Username) -> ApiResult<Option<User>> {
        Err(ApiError::unavailable("GetItem users", "connection refused"))
    }
}

/// Storage that must not be read.
struct Untouched;

impl VideoReader for Untouched {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_video(&self, id: &str) -> ApiResult<Option<Video>> {
        panic!("read video {id}")
    }
}

impl UserReader for Untouched {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_user(&self, name: &Username) -> ApiResult<Option<User>> {
        panic!("read user {}", name.as_str())
    }
}

const ORIGIN: &str = "https://videos.example";

fn site<V, U>(videos: V, users: U) -> Site<V, U> {
    Site {
        s3_origin: "https://bucket.example".into(),
        site_origin: Some(ORIGIN.into()),
        origin_verify_secret: None,
        videos,
        users,
    }
}

fn get(path: &str, param: Option<(&str, &str)>) -> Request {
    let req = http::Request::builder().uri(format!("http://localhost{path}")).body(Body::Empty).unwrap();
    match param {
        Some((name, value)) => {
            req.with_path_parameters(std::collections::HashMap::from([(name.to_owned(), value.to_owned())]))
        }
        None => req,
    }
}

async fn page<V: VideoReader + 'static, U: UserReader + 'static>(site: &Site<V, U>, req: Request) -> String {
    let response = site.handle(req).await.expect("the page is served");
    assert_eq!(response.status(), 200);
    String::from_utf8(response.body().to_vec()).unwrap()
}

#[tokio::test]
async fn a_storage_fault_serves_the_page_with_the_site_card() {
    let generic = page(&site(Untouched, Untouched), get("/", None)).await;
    assert!(generic.contains(&Card::site().render(ORIGIN)));
    let id = Video::example("alice", VideoStatus::Ready, Privacy::Public).id;
    let down = site(Down, Down);
    assert_eq!(page(&down, get(&format!("/v/{id}"), Some(("id", &id)))).await, generic);
    assert_eq!(page(&down, get("/u/alice", Some(("username", "alice")))).await, generic);
}

#[tokio::test]
async fn the_card_names_a_watchable_video_and_a_live_user() {
    let memory = Memory::default();
    let video = Video { name: "Cats".into(), ..Video::example("alice", VideoStatus::Ready, Privacy::Public) };
    memory.videos.lock().unwrap().insert(video.id.clone(), video.clone());
    memory.sign_in("alice");
    let site = site(memory.clone(), memory);
    let html = page(&site, get(&format!("/v/{}", video.id), Some(("id", &video.id)))).await;
    assert!(html.contains(r#"<meta property="og:title" content="Cats">"#), "{html}");
    assert!(html.contains(&format!(r#"<meta property="og:url" content="{ORIGIN}/v/{}">"#, video.id)));
    let html = page(&site, get("/u/Alice", Some(("username", "Alice")))).await;
    assert!(html.contains(r#"<meta property="og:type" content="profile">"#), "{html}");
    assert!(html.contains(&format!(r#"<meta property="og:url" content="{ORIGIN}/u/alice">"#)));
}

#[tokio::test]
async fn the_other_pages_and_malformed_names_read_nothing() {
    let site = site(Untouched, Untouched);
    let generic = page(&site, get("/", None)).await;
    for path in ["/upload", "/signin", "/register"] {
        assert_eq!(page(&site, get(path, None)).await, generic, "{path}");
    }
    assert_eq!(page(&site, get("/v/not-a-uuid", Some(("id", "not-a-uuid")))).await, generic);
    assert_eq!(page(&site, get("/u/x", Some(("username", "x")))).await, generic);
    let asset = site.handle(get("/assets/app.js", Some(("file", "app.js")))).await.unwrap();
    assert_eq!(asset.headers()["content-type"], "text/javascript; charset=utf-8");
}
