//! Item 3, warm latency overhead: each main route called in-process (as the tests
//! call it, through `vidlet::runtime::respond`), alternating with the bare
//! storage calls that route makes, sent with the raw SDK client.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, KeysAndAttributes, Put, TransactWriteItem, Update};
use lambda_http::Request;
use serde_json::json;
use vidlet::config::Table;
use vidlet::domain::account::hash_token;
use vidlet::domain::video::Comment;
use vidlet::domain::view::{Clock, ViewerKey, VIEW_WINDOW_SECS};
use vidlet::handlers::accounts::Me;
use vidlet::handlers::comments::{CreateComment, ListComments};
use vidlet::handlers::media::{CountView, StreamVideo};
use vidlet::handlers::videos::{GetVideo, ListVideos};
use vidlet::handlers::Handler;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Objects, VIDEOS};
use vidlet_tests::{Req, TestApp};

use crate::report::{Section, Table as MdTable};
use crate::seed::Fixture;
use crate::stack::Stack;
use crate::stats::{ms, ratio, verdict, Samples};
use crate::Result;

pub const GOAL: f64 = 1.3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    GetVideo,
    ListVideos,
    ListComments,
    Me,
    CreateComment,
    StreamVideo,
    CountView,
}

impl Case {
    pub const ALL: [Case; 7] = [
        Case::GetVideo,
        Case::ListVideos,
        Case::ListComments,
        Case::Me,
        Case::CreateComment,
        Case::StreamVideo,
        Case::CountView,
    ];

    pub fn route(self) -> &'static str {
        match self {
            Case::GetVideo => "GET /videos/{id}",
            Case::ListVideos => "GET /videos",
            Case::ListComments => "GET /videos/{id}/comments",
            Case::Me => "GET /me",
            Case::CreateComment => "POST /videos/{id}/comments",
            Case::StreamVideo => "GET /videos/{id}/stream",
            Case::CountView => "POST /videos/{id}/views",
        }
    }

    fn bare(self) -> &'static str {
        match self {
            Case::GetVideo => "GetItem videos (consistent); presigning sends nothing",
            Case::ListVideos => "Query feed index (20, newest first)",
            Case::ListComments => "GetItem videos + Query comments (20)",
            Case::Me => "GetItem sessions + GetItem users",
            Case::CreateComment => "GetItem sessions + TransactWriteItems (check + put)",
            Case::StreamVideo => "GetItem videos (consistent); presigning sends nothing",
            Case::CountView => "TransactWriteItems (conditional mark put + ADD views), a new viewer each call",
        }
    }

    fn expected_status(self) -> u16 {
        match self {
            Case::CreateComment => 201,
            Case::StreamVideo => 302,
            Case::CountView => 204,
            _ => 200,
        }
    }

    /// The request, built before the clock starts.
    fn request(self, f: &Fixture) -> Request {
        let video = &f.commented;
        match self {
            Case::GetVideo => Req::get("/").param("id", video).build(),
            Case::ListVideos => Req::get("/videos").build(),
            Case::ListComments => Req::get("/").param("id", video).build(),
            Case::Me => Req::get("/me").bearer(&f.token).build(),
            Case::CreateComment => {
                Req::post("/").param("id", video).bearer(&f.token).json(json!({"content": "warm"})).build()
            }
            Case::StreamVideo => Req::get("/").param("id", video).build(),
            // A new anonymous viewer each call, so that every report counts.
            Case::CountView => Req::post("/").param("id", video).source_ip(&new_address()).build(),
        }
    }
}

/// The routes' handlers, wired as their functions' `main` wires them (and as
/// the tests do), on the fixture's tables and bucket; built once, before any clock.
struct Routes {
    get_video: GetVideo<Dynamo, Dynamo, Objects>,
    list_videos: ListVideos<Dynamo>,
    list_comments: ListComments<Dynamo, Dynamo, Dynamo>,
    me: Me<Dynamo>,
    create_comment: CreateComment<Dynamo, Dynamo>,
    stream_video: StreamVideo<Dynamo, Dynamo, Objects>,
    count_view: CountView<Dynamo, Dynamo>,
}

impl Routes {
    fn new(t: &TestApp) -> Self {
        let db = &t.db;
        Routes {
            get_video: GetVideo {
                sessions: db.clone(),
                videos: db.clone(),
                download_urls: t.bucket.scoped(VIDEOS),
                config: t.config.clone(),
            },
            list_videos: ListVideos { feed: db.clone() },
            list_comments: ListComments { sessions: db.clone(), videos: db.clone(), comments: db.clone() },
            me: Me { sessions: db.clone(), config: t.config.clone() },
            create_comment: CreateComment { sessions: db.clone(), comments: db.clone() },
            stream_video: StreamVideo {
                sessions: db.clone(),
                videos: db.clone(),
                download_urls: t.bucket.scoped(VIDEOS),
                config: t.config.clone(),
            },
            count_view: CountView {
                sessions: db.clone(),
                views: db.clone(),
                config: t.config.clone(),
                clock: Clock::System,
            },
        }
    }
}

/// A source address no other call used (IPv6 documentation prefix).
fn new_address() -> String {
    let n = uuid::Uuid::new_v4().as_u128();
    format!("2001:db8::{:x}:{:x}:{:x}:{:x}", (n >> 48) as u16, (n >> 32) as u16, (n >> 16) as u16, n as u16)
}

/// The route through the handler and the runtime's response path.
async fn route(routes: &Routes, f: &Fixture, case: Case) -> Result<Duration> {
    let req = case.request(f);
    match case {
        Case::GetVideo => timed(&routes.get_video, req, case).await,
        Case::ListVideos => timed(&routes.list_videos, req, case).await,
        Case::ListComments => timed(&routes.list_comments, req, case).await,
        Case::Me => timed(&routes.me, req, case).await,
        Case::CreateComment => timed(&routes.create_comment, req, case).await,
        Case::StreamVideo => timed(&routes.stream_video, req, case).await,
        Case::CountView => timed(&routes.count_view, req, case).await,
    }
}

/// `vidlet::runtime::respond` on one request, as a function's runtime calls it.
async fn timed<H: Handler>(handler: &H, req: Request, case: Case) -> Result<Duration> {
    let started = Instant::now();
    let response = vidlet::runtime::respond("bench", handler, req).await;
    let elapsed = started.elapsed();
    if response.status().as_u16() != case.expected_status() {
        return Err(format!("{}: status {}", case.route(), response.status()).into());
    }
    Ok(elapsed)
}

/// The same storage calls with the raw client, nothing else.
async fn bare(stack: &Stack, f: &Fixture, case: Case) -> Result<Duration> {
    let db = &stack.dynamodb;
    let s = |v: &str| AttributeValue::S(v.to_owned());
    let videos = stack.table(Table::Videos);
    let comments = stack.table(Table::Comments);
    let session_hash = hash_token(&f.token);
    // Anything request-specific is prepared before the clock starts.
    let comment = Comment {
        video_id: f.commented.clone(),
        comment_id: uuid::Uuid::now_v7().to_string(),
        author: f.username.clone(),
        content: "warm".into(),
        created_at: vidlet::domain::now_epoch(),
    };
    let viewer = ViewerKey::anonymous(&f.t.config.viewer_salt, &new_address(), "");
    let now = vidlet::domain::now_epoch();
    let started = Instant::now();
    match case {
        Case::GetVideo | Case::StreamVideo => {
            db.get_item().table_name(videos).key("id", s(&f.commented)).consistent_read(true).send().await?;
        }
        Case::ListVideos => {
            db.query()
                .table_name(videos)
                .index_name("feed")
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", "feed_key")
                .expression_attribute_values(":pk", s("public"))
                .scan_index_forward(false)
                .limit(20)
                .send()
                .await?;
        }
        Case::ListComments => {
            db.get_item().table_name(videos).key("id", s(&f.commented)).consistent_read(true).send().await?;
            db.query()
                .table_name(comments)
                .key_condition_expression("video_id = :video")
                .expression_attribute_values(":video", s(&f.commented))
                .scan_index_forward(false)
                .limit(20)
                .send()
                .await?;
        }
        Case::Me => session_read(stack, &session_hash, &f.username).await?,
        Case::CreateComment => {
            session_read(stack, &session_hash, &f.username).await?;
            let check = ConditionCheck::builder()
                .table_name(videos)
                .key("id", s(&f.commented))
                .condition_expression(VISIBLE)
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#privacy", "privacy")
                .expression_attribute_values(":viewer", s(&f.username))
                .expression_attribute_values(":ready", s("ready"))
                .expression_attribute_values(":private", s("private"))
                .build()?;
            let put = Put::builder()
                .table_name(comments)
                .set_item(Some(serde_dynamo::to_item(&comment)?))
                .condition_expression("attribute_not_exists(comment_id)")
                .build()?;
            db.transact_write_items()
                .transact_items(TransactWriteItem::builder().condition_check(check).build())
                .transact_items(TransactWriteItem::builder().put(put).build())
                .send()
                .await?;
        }
        Case::CountView => {
            let mark = Put::builder()
                .table_name(stack.table(Table::ViewMarks))
                .item("video_id", s(&f.commented))
                .item("viewer", s(viewer.as_str()))
                .item("expires_at", AttributeValue::N((now + VIEW_WINDOW_SECS).to_string()))
                .condition_expression("attribute_not_exists(video_id) OR expires_at <= :now")
                .expression_attribute_values(":now", AttributeValue::N(now.to_string()))
                .build()?;
            let add = Update::builder()
                .table_name(videos)
                .key("id", s(&f.commented))
                .update_expression("ADD #views :one")
                .condition_expression(VISIBLE)
                .expression_attribute_names("#views", "views")
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_names("#status", "status")
                .expression_attribute_names("#privacy", "privacy")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .expression_attribute_values(":viewer", s(""))
                .expression_attribute_values(":ready", s("ready"))
                .expression_attribute_values(":private", s("private"))
                .build()?;
            db.transact_write_items()
                .transact_items(TransactWriteItem::builder().put(mark).build())
                .transact_items(TransactWriteItem::builder().update(add).build())
                .send()
                .await?;
        }
    }
    Ok(started.elapsed())
}

/// The adapter's visibility condition (shared/src/store/dynamo/videos.rs), so the bare call does the same work.
const VISIBLE: &str = "attribute_exists(id) AND (#owner = :viewer OR (#status = :ready AND #privacy <> :private))";

/// p50 per route, in ms, for the cost model.
pub type RouteMedians = Vec<(Case, f64)>;

pub async fn run(stack: &Stack, fixture: &Fixture, calls: usize) -> Result<(Section, RouteMedians)> {
    let routes = Routes::new(&fixture.t);
    let mut table = MdTable::new(&[
        "route",
        "bare storage calls",
        "route p50 ms",
        "route p99 ms",
        "bare p50 ms",
        "bare p99 ms",
        "ratio at p50",
        "≤ 1.3×",
    ]);
    let mut medians = RouteMedians::new();
    let mut worst: f64 = 0.0;
    for case in Case::ALL {
        let (mut r, mut b) = (Samples::default(), Samples::default());
        for i in 0..calls + calls / 10 {
            // Warm-up first (not recorded), then A/B with the order flipped every call.
            let (route_time, bare_time) = if i % 2 == 0 {
                (route(&routes, fixture, case).await?, bare(stack, fixture, case).await?)
            } else {
                let bare_time = bare(stack, fixture, case).await?;
                (route(&routes, fixture, case).await?, bare_time)
            };
            if i >= calls / 10 {
                r.push(route_time);
                b.push(bare_time);
            }
        }
        let q = r.median() / b.median();
        worst = worst.max(q);
        medians.push((case, r.median()));
        table.row(vec![
            format!("`{}`", case.route()),
            case.bare().into(),
            ms(r.median()),
            ms(r.percentile(99.0)),
            ms(b.median()),
            ms(b.percentile(99.0)),
            ratio(q),
            if q <= GOAL { "yes".into() } else { "no".into() },
        ]);
    }
    let mut section = Section::new(
        "3. Warm latency overhead",
        "what a route adds over the storage calls it cannot avoid: routing, session checks, (de)serialisation, \
         presigning, error mapping and the response path. Each route is called in-process against the local stack and \
         alternated, call by call, with the same storage calls sent through the raw SDK client on the same connection pool.",
    );
    section.goal(format!(
        "route ≤ {GOAL}× the bare calls at p50 on every route: worst {}; {}",
        ratio(worst),
        verdict(worst <= GOAL)
    ));
    section.table(&format!("{calls} measured calls of each (after {} warm-up calls).", calls / 10), table);
    section.note(
        "Absolute times are DynamoDB Local's on this shared machine (Java, a few ms a call); DynamoDB itself \
         answers in single-digit milliseconds too, so the ratios should be of the same order on AWS."
            .into(),
    );
    Ok((section, medians))
}

/// A session and its user in one consistent BatchGetItem, as every
/// authenticated route reads them.
async fn session_read(stack: &Stack, session_hash: &str, username: &str) -> Result<()> {
    let key = |name: &str, value: &str| {
        KeysAndAttributes::builder()
            .keys([(name.to_owned(), AttributeValue::S(value.to_owned()))].into())
            .consistent_read(true)
            .build()
    };
    stack
        .dynamodb
        .batch_get_item()
        .request_items(stack.table(Table::Sessions), key("session_hash", session_hash)?)
        .request_items(stack.table(Table::Users), key("username", username)?)
        .send()
        .await?;
    Ok(())
}
