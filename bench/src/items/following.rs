//! Item 9, the following feed as the number of followed creators grows: a
//! follower of 10, 100 and 1,000 creators (three public videos each, seeded
//! with BatchWriteItem) reads its first page and the next through the
//! handler, on counted clients. The pull design's cost is 2 + N calls a page
//! (session, follow list, one Query per creator).

use std::time::Instant;

use aws_sdk_dynamodb::types::AttributeValue;
use vidlet::config::Table;
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::handlers::follows::FollowingFeed;
use vidlet::runtime::respond;
use vidlet::store::call_counter::CallCounter;
use vidlet::store::dynamo::following_feed::FEED_CONCURRENCY;
use vidlet_tests::{Req, TestResponse};

use crate::report::{Section, Table as MdTable};
use crate::seed::{batch_put, register, Item};
use crate::stack::Stack;
use crate::stats::{ms, verdict, Samples};
use crate::Result;

pub const FOLLOWED: [usize; 3] = [10, 100, 1000];
const VIDEOS_PER_CREATOR: usize = 3;
const PAGE: &str = "20";

#[derive(Clone, Copy)]
pub struct Plan {
    /// Page reads per size, first and next page each.
    pub runs: usize,
}

fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// A ready, public video as the store writes it: with its index keys.
fn video_item(owner: &str) -> Result<Item> {
    let video = Video::example(owner, VideoStatus::Ready, Privacy::Public);
    let mut item: Item = serde_dynamo::to_item(&video)?;
    for key in ["owner_key", "public_owner_key"] {
        item.insert(key.into(), s(owner));
    }
    item.insert("feed_key".into(), s("public"));
    Ok(item)
}

/// Creators with their videos (round by round, so their times interleave),
/// and for each size a follower of the first N; the followers' tokens.
async fn seed(stack: &Stack) -> Result<Vec<(usize, String)>> {
    let creators: Vec<String> = (0..FOLLOWED[2]).map(|i| format!("creator{i:04}")).collect();
    let mut videos = Vec::new();
    for _ in 0..VIDEOS_PER_CREATOR {
        for creator in &creators {
            videos.push(video_item(creator)?);
        }
    }
    batch_put(&stack.dynamodb, stack.table(Table::Videos), videos, 8).await?;
    let t = stack.test_app();
    let mut followers = Vec::new();
    let now = vidlet::domain::now_epoch().to_string();
    for n in FOLLOWED {
        let name = format!("fan{n}");
        let token = register(&t, &name).await?;
        let follows = creators[..n]
            .iter()
            .map(|c| {
                Item::from([
                    ("follower".into(), s(&name)),
                    ("followee".into(), s(c)),
                    ("created_at".into(), AttributeValue::N(now.clone())),
                ])
            })
            .collect();
        batch_put(&stack.dynamodb, stack.table(Table::Follows), follows, 8).await?;
        followers.push((n, token));
    }
    Ok(followers)
}

#[derive(Default)]
struct Figures {
    first: Samples,
    next: Samples,
    first_calls: usize,
    next_calls: usize,
    shown: usize,
}

pub async fn run(plan: &Plan) -> Result<Section> {
    Stack::scoped("follow_", async |stack| run_on(stack, plan).await).await
}

async fn read(
    feed: &FollowingFeed<vidlet::store::dynamo::Dynamo, vidlet::store::dynamo::Dynamo>,
    token: &str,
    cursor: Option<&str>,
) -> Result<TestResponse> {
    let mut req = Req::get("/feed/following").query("limit", PAGE).bearer(token);
    if let Some(c) = cursor {
        req = req.query("cursor", c);
    }
    let res = TestResponse::from(respond("bench", feed, req.build()).await);
    if res.status.as_u16() != 200 {
        return Err(format!("GET /feed/following: {} {}", res.status, res.body).into());
    }
    Ok(res)
}

async fn run_on(stack: &Stack, plan: &Plan) -> Result<Section> {
    let started = Instant::now();
    let followers = seed(stack).await?;
    let seeded = started.elapsed();
    let counter = CallCounter::default();
    let (db, _) = stack.counted(&counter);
    // Wired as functions/following-feed wires it.
    let feed = FollowingFeed { sessions: db.clone(), feed: db };
    let mut figures: Vec<Figures> = FOLLOWED.iter().map(|_| Figures::default()).collect();
    // Sizes alternate within each run, so the machine's noise falls on all alike.
    for _ in 0..plan.runs {
        for ((_, token), fig) in followers.iter().zip(&mut figures) {
            counter.take();
            let at = Instant::now();
            let first = read(&feed, token, None).await?;
            fig.first.push(at.elapsed());
            fig.first_calls = counter.take().values().sum();
            let cursor = first.body["next_cursor"].as_str().ok_or("a first page without next_cursor")?.to_owned();
            let at = Instant::now();
            read(&feed, token, Some(&cursor)).await?;
            fig.next.push(at.elapsed());
            fig.next_calls = counter.take().values().sum();
            fig.shown = first.body["videos"].as_array().map_or(0, Vec::len);
        }
    }
    let mut table = MdTable::new(&[
        "followed creators (N)",
        "calls per page (first, next)",
        "2 + N",
        "first page, median ms",
        "first page, p90 ms",
        "next page, median ms",
        "videos per page",
    ]);
    let mut formula_holds = true;
    for (n, fig) in FOLLOWED.iter().zip(&figures) {
        formula_holds &= fig.first_calls == 2 + n && fig.next_calls == 2 + n;
        table.row(vec![
            n.to_string(),
            format!("{}, {}", fig.first_calls, fig.next_calls),
            (2 + n).to_string(),
            ms(fig.first.median()),
            ms(fig.first.percentile(90.0)),
            ms(fig.next.median()),
            fig.shown.to_string(),
        ]);
    }
    let mut section = Section::new(
        "9. The following feed",
        "what a page of `GET /feed/following` costs as the number of followed creators grows (pull design: \
         the follow list, then one Query per creator on `public_by_owner`, merged), through the handler on \
         counted clients against DynamoDB Local.",
    );
    section.goal(format!("calls per page are 2 + N (session, follow list, N creators): {}", verdict(formula_holds)));
    section.table(&format!("{} runs per size, limit {PAGE}, sizes alternating:", plan.runs), table);
    section.note(format!(
        "{VIDEOS_PER_CREATOR} public, ready videos per creator, their times interleaved; followers and videos \
         seeded with BatchWriteItem in {:.1} s. Creators are queried {FEED_CONCURRENCY} at a time.",
        seeded.as_secs_f64()
    ));
    section.note(
        "Write cost: a follow is one transaction (follower's count, followee check, follow put) whatever N; \
         publishing a video writes nothing for followers. On AWS each Query is a few ms in the same region, so \
         a page costs about ceil(N / concurrency) sequential rounds of Query latency, and N read requests."
            .into(),
    );
    Ok(section)
}
