//! Item 9, search on 10,000 ready, public videos: storage calls and handler
//! latency per page (medians) for a common word, a prefix, two words and three
//! words that find one video, on counted clients. The videos and their index
//! items are written straight to the tables with BatchWriteItem, the items
//! computed by the same domain code the app's writes use.

use std::time::{Duration, Instant};

use lambda_http::{Body, RequestExt};
use vidlet::config::Table;
use vidlet::domain::search::{IndexChange, SearchQuery};
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::handlers::search::SearchVideos;
use vidlet::handlers::Handler;
use vidlet::store::call_counter::CallCounter;

use crate::report::{Section, Table as MdTable};
use crate::seed::{batch_put, Item};
use crate::stack::Stack;
use crate::stats::{ms, verdict, Samples};
use crate::Result;

const ADJECTIVES: [&str; 10] =
    ["amber", "bright", "calm", "dusty", "eager", "frosty", "golden", "hazy", "icy", "jolly"];
const NOUNS: [&str; 20] = [
    "fox", "river", "train", "garden", "harbour", "market", "meadow", "canyon", "bridge", "forest", "island",
    "lantern", "mountain", "orchard", "pier", "quarry", "road", "station", "tower", "valley",
];
const PLACES: [&str; 50] = [
    "lisbon", "oslo", "quito", "lima", "cairo", "delhi", "perth", "dakar", "hanoi", "kyoto", "accra", "bern", "dublin",
    "riga", "sofia", "tunis", "vigo", "zagreb", "bergen", "cork", "derby", "essen", "faro", "graz", "haifa", "izmir",
    "jena", "kiel", "leeds", "malmo", "nice", "oulu", "porto", "reims", "split", "turin", "umea", "varna", "york",
    "aarhus", "basel", "como", "dijon", "evora", "fes", "genoa", "hilo", "ibiza", "jaffa", "kobe",
];
/// Pages walked per query and run.
const PAGES: usize = 10;
const PAGE_SIZE: u32 = 20;
pub const CALLS_GOAL: f64 = 2.0;

#[derive(Clone, Copy)]
pub struct Plan {
    pub videos: usize,
    /// Walks of each query's first pages.
    pub runs: usize,
}

/// Video `n`'s name: an adjective (1 in 10 videos), a noun (1 in 20) and a
/// place (1 in 50); every combination once in 10,000, and "Café" on every 7th.
fn name_of(n: usize) -> String {
    let (adj, noun, place) = (ADJECTIVES[n % 10], NOUNS[(n / 10) % 20], PLACES[(n / 200) % 50]);
    let accent = if n % 7 == 0 { " Café" } else { "" };
    format!("{} {noun} {place}{accent}", adj[..1].to_uppercase() + &adj[1..])
}

/// The videos (oldest first) and their index items, as the app stores them.
fn items(videos: usize) -> Result<(Vec<Item>, Vec<Item>)> {
    let (mut video_items, mut term_items) = (Vec::with_capacity(videos), Vec::new());
    for n in 0..videos {
        let mut video = Video::example("benchuser", VideoStatus::Ready, Privacy::Public);
        video.name = name_of(n);
        video.description = String::new();
        let change = IndexChange::between(None, Some(&video));
        for term in &change.put {
            let item = [("term", term.as_str()), ("video_id", video.id.as_str()), ("words", change.words.as_str())];
            term_items
                .push(item.map(|(k, v)| (k.to_owned(), aws_sdk_dynamodb::types::AttributeValue::S(v.into()))).into());
        }
        video_items.push(serde_dynamo::to_item(&video)?);
    }
    Ok((video_items, term_items))
}

struct Measured {
    query: &'static str,
    pages: usize,
    shown: Samples,
    calls: Samples,
    latency: Samples,
}

pub async fn run(plan: &Plan) -> Result<Section> {
    Stack::scoped("search_", async |stack| run_on(stack, plan).await).await
}

async fn run_on(stack: &Stack, plan: &Plan) -> Result<Section> {
    let started = Instant::now();
    let (videos, terms) = items(plan.videos)?;
    let term_count = terms.len();
    batch_put(&stack.dynamodb, stack.table(Table::Videos), videos, 8).await?;
    batch_put(&stack.dynamodb, stack.table(Table::SearchTerms), terms, 16).await?;
    let seeded_in = started.elapsed();

    let counter = CallCounter::default();
    let (db, _) = stack.counted(&counter);
    let handler = SearchVideos { search: db };
    let queries = [
        ("amber", "a common word (1 video in 10)"),
        ("GOLD", "a prefix, other case"),
        ("cafe", "without the accent (1 in 7)"),
        ("jolly station", "two words (1 in 200)"),
        ("calm harbour lisbon", "three words: one video"),
    ];
    let mut measured = Vec::new();
    for (query, _) in queries {
        let mut m = Measured {
            query,
            pages: 0,
            shown: Samples::default(),
            calls: Samples::default(),
            latency: Samples::default(),
        };
        for _ in 0..plan.runs {
            let mut cursor: Option<String> = None;
            for _ in 0..PAGES {
                counter.take();
                let started = Instant::now();
                let body = page(&handler, query, cursor.as_deref()).await?;
                m.latency.push(started.elapsed());
                let calls: usize = counter.take().values().sum();
                m.calls.push_ms(calls as f64);
                let shown = check(&body, query)?;
                m.shown.push_ms(shown as f64);
                m.pages += 1;
                match body["next_cursor"].as_str() {
                    Some(next) => cursor = Some(next.to_owned()),
                    None => break,
                }
            }
        }
        measured.push(m);
    }
    report(plan, &queries, &measured, term_count, seeded_in)
}

async fn page(
    handler: &SearchVideos<vidlet::store::dynamo::Dynamo>,
    q: &str,
    cursor: Option<&str>,
) -> Result<serde_json::Value> {
    let mut params = vec![("q", q.to_owned()), ("limit", PAGE_SIZE.to_string())];
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor.to_owned()));
    }
    let query: std::collections::HashMap<String, Vec<String>> =
        params.into_iter().map(|(k, v)| (k.to_owned(), vec![v])).collect();
    let req = lambda_http::http::Request::builder()
        .uri("http://bench/search")
        .body(Body::Empty)?
        .with_query_string_parameters(query);
    let res = handler.handle(req).await.map_err(|e| format!("search {q}: {e}"))?;
    if res.status() != 200 {
        return Err(format!("search {q}: status {}", res.status()).into());
    }
    Ok(serde_json::from_slice(res.body())?)
}

/// The page's videos all match and come newest first; how many there are.
fn check(body: &serde_json::Value, q: &str) -> Result<usize> {
    let query = SearchQuery::parse(Some(q))?;
    let videos = body["videos"].as_array().ok_or("no videos in the answer")?;
    let mut last: Option<&str> = None;
    for v in videos {
        let (id, name) = (v["id"].as_str().unwrap_or_default(), v["name"].as_str().unwrap_or_default());
        let mut probe = Video::example("x", VideoStatus::Ready, Privacy::Public);
        probe.name = name.into();
        if !query.matches(&probe) {
            return Err(format!("search {q} showed {name:?}").into());
        }
        if last.is_some_and(|l| l <= id) {
            return Err(format!("search {q}: not newest first").into());
        }
        last = Some(id);
    }
    Ok(videos.len())
}

fn report(
    plan: &Plan,
    queries: &[(&str, &str)],
    measured: &[Measured],
    term_count: usize,
    seeded_in: Duration,
) -> Result<Section> {
    let mut table = MdTable::new(&[
        "query",
        "what",
        "pages measured",
        "videos shown per page (median)",
        "storage calls per page (median / max)",
        "latency per page, ms (median / p95)",
    ]);
    let mut worst_calls: f64 = 0.0;
    for (m, (_, what)) in measured.iter().zip(queries) {
        let max_calls = m.calls.percentile(100.0);
        worst_calls = worst_calls.max(max_calls);
        table.row(vec![
            format!("`{}`", m.query),
            (*what).to_owned(),
            m.pages.to_string(),
            format!("{:.0}", m.shown.median()),
            format!("{:.0} / {:.0}", m.calls.median(), max_calls),
            format!("{} / {}", ms(m.latency.median()), ms(m.latency.percentile(95.0))),
        ]);
    }
    let mut section = Section::new(
        "9. Search on 10,000 videos",
        "what one page of `GET /search` costs on a large index: its storage calls (one Query of a term, one \
         BatchGetItem of the hits) and the handler's latency against DynamoDB Local, walking the first pages of each \
         query behind its cursor.",
    );
    section.goal(format!(
        "at most {CALLS_GOAL:.0} storage calls per page, no Scan: at most {worst_calls:.0}; {}",
        verdict(worst_calls <= CALLS_GOAL)
    ));
    section.table(
        &format!(
            "{} videos, {PAGE_SIZE} per page, the first {PAGES} pages of each query, {} runs:",
            plan.videos, plan.runs
        ),
        table,
    );
    section.note(format!(
        "Seeded with BatchWriteItem straight to the tables: {} videos and their {term_count} index items ({:.1} per \
         video) in {:.1} s.",
        plan.videos,
        term_count as f64 / plan.videos as f64,
        seeded_in.as_secs_f64()
    ));
    section.note(
        "A query of several words reads the partition of its longest word and filters the others in the same Query, \
         reading 20 items per video wanted (at most 1,000) since DynamoDB's Limit counts items before the filter: \
         words rare together still give short pages, at the same two calls; the client follows `next_cursor`."
            .into(),
    );
    Ok(section)
}
