//! Item 4, streaming: the time to the first byte of a ranged read both ways a
//! player gets a video, against a direct presigned GET of the same object:
//! the page's path (the release get-video function's `GET /videos/{id}`, then
//! its `stream_url`) and `/stream`'s (the release stream-video function's 302,
//! then its Location), each behind the mini gateway. Then the throughput of a
//! full read through `/stream`.

use std::time::{Duration, Instant};

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use crate::lambda::gateway::Gateway;
use crate::lambda::instance::{binary, Instance};
use crate::lambda::runtime_api::RuntimeApi;
use crate::report::{Section, Table};
use crate::seed::Fixture;
use crate::stack::Stack;
use crate::stats::{ms, ratio, verdict, Samples};
use crate::Result;

pub const TTFB_GOAL: f64 = 1.5;
pub const THROUGHPUT_GOAL: f64 = 0.95;

#[derive(Clone, Copy)]
pub struct Plan {
    pub ttfb_pairs: usize,
    pub full_pairs: usize,
    pub object_bytes: usize,
}

/// How a client gets to the video's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    /// A presigned GET the bench made once.
    Direct,
    /// `GET /videos/{id}` (get-video), then its `stream_url`.
    Page,
    /// `GET /videos/{id}/stream` (stream-video), then its 302's Location.
    Stream,
}

/// The order of the three reads in round `i`: every permutation in turn, so
/// that each path goes first, second and last equally often.
fn order(i: usize) -> [Path; 3] {
    use Path::*;
    const ORDERS: [[Path; 3]; 6] = [
        [Direct, Page, Stream],
        [Stream, Direct, Page],
        [Page, Stream, Direct],
        [Direct, Stream, Page],
        [Page, Direct, Stream],
        [Stream, Page, Direct],
    ];
    ORDERS[i % ORDERS.len()]
}

/// A function behind its own mini gateway.
struct Served {
    instance: Instance,
    gateway: Gateway,
}

impl Served {
    async fn start(stack: &Stack, function: &str) -> Result<Self> {
        let api = RuntimeApi::start(function).await?;
        let mut instance = Instance::spawn(&binary(function), function, &stack.function_env(function), api)?;
        instance.ready(Duration::from_secs(30)).await?;
        let gateway = Gateway::start(instance.api.clone()).await?;
        Ok(Served { instance, gateway })
    }
}

/// Time to the first body byte (`range` = Some) or to the last (None), and the bytes read.
async fn fetch(
    client: &reqwest::Client,
    url: &str,
    range: Option<&str>,
    started: Instant,
) -> Result<(Duration, usize)> {
    let mut request = client.get(url);
    if let Some(range) = range {
        request = request.header("range", range);
    }
    let mut response = request.send().await?;
    let expected = if range.is_some() { 206 } else { 200 };
    if response.status().as_u16() != expected {
        return Err(format!("GET object: {}", response.status()).into());
    }
    let mut bytes = 0;
    let mut first = None;
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len();
        first.get_or_insert_with(|| started.elapsed());
    }
    let elapsed = if range.is_some() { first.unwrap_or_else(|| started.elapsed()) } else { started.elapsed() };
    Ok((elapsed, bytes))
}

/// One read: its time, the bytes, and how long getting the URL took (zero for Direct).
struct Read {
    elapsed: Duration,
    bytes: usize,
    hop: Duration,
}

/// The presigned URL a function hands out: `stream_url` of the page's JSON, or the 302's Location.
async fn url_from(client: &reqwest::Client, path: Path, page: &Served, stream: &Served, id: &str) -> Result<String> {
    if path == Path::Page {
        let answer = client.get(page.gateway.url(&format!("/videos/{id}"))).send().await?;
        if answer.status().as_u16() != 200 {
            return Err(format!("GET /videos/{{id}}: {}", answer.status()).into());
        }
        let video: serde_json::Value = answer.json().await?;
        return Ok(video["stream_url"].as_str().ok_or("GET /videos/{id} gave no stream_url")?.to_owned());
    }
    let redirect = client.get(stream.gateway.url(&format!("/videos/{id}/stream"))).send().await?;
    if redirect.status().as_u16() != 302 {
        return Err(format!("stream: {}", redirect.status()).into());
    }
    let location = redirect.headers().get("location").and_then(|v| v.to_str().ok()).ok_or("no Location")?.to_owned();
    let _ = redirect.bytes().await?;
    Ok(location)
}

/// The functions and the object one read needs.
struct Ways<'a> {
    client: &'a reqwest::Client,
    page: &'a Served,
    stream: &'a Served,
    id: &'a str,
    direct_url: &'a str,
}

impl Ways<'_> {
    async fn read(&self, path: Path, range: Option<&str>) -> Result<Read> {
        let started = Instant::now();
        let (url, hop) = match path {
            Path::Direct => (self.direct_url.to_owned(), Duration::ZERO),
            _ => (url_from(self.client, path, self.page, self.stream, self.id).await?, started.elapsed()),
        };
        let (elapsed, bytes) = fetch(self.client, &url, range, started).await?;
        Ok(Read { elapsed, bytes, hop })
    }
}

/// Deterministic bytes that do not compress.
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

pub async fn run(stack: &Stack, fixture: &Fixture, plan: &Plan) -> Result<(Section, ())> {
    // The video's object, replaced in S3 directly by one of `object_bytes`.
    let id = fixture.videos[1].clone();
    let key = vidlet::domain::video::video_object_key(&id);
    let body = ByteStream::from(noise(plan.object_bytes));
    stack.s3.put_object().bucket(&stack.config.bucket).key(&key).content_type("video/mp4").body(body).send().await?;
    let presigning = PresigningConfig::expires_in(Duration::from_secs(3600))?;
    let get = stack.s3.get_object().bucket(&stack.config.bucket).key(&key).response_content_type("video/mp4");
    let direct_url = get.presigned(presigning).await?.uri().to_owned();

    let page = Served::start(stack, "get-video").await?;
    let stream = Served::start(stack, "stream-video").await?;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let ways = Ways { client: &client, page: &page, stream: &stream, id: &id, direct_url: &direct_url };
    let result = measure(&ways, plan).await;
    page.instance.stop().await;
    stream.instance.stop().await;
    let m = result?;
    let handler_ms = |function, route, status| handler_latency(function, route, status).median();
    let handlers =
        (handler_ms("get-video", "GET /videos/{id}", 200), handler_ms("stream-video", "GET /videos/{id}/stream", 302));
    Ok((section(&m, handlers), ()))
}

/// What one run measured, in milliseconds.
#[derive(Default)]
struct Measured {
    direct_ttfb: Samples,
    page_ttfb: Samples,
    stream_ttfb: Samples,
    /// How long `GET /videos/{id}` took, within `page_ttfb`.
    page_hops: Samples,
    /// How long the 302 took, within `stream_ttfb`.
    stream_hops: Samples,
    stream_full: Samples,
    direct_full: Samples,
    bytes: usize,
}

async fn measure(ways: &Ways<'_>, plan: &Plan) -> Result<Measured> {
    let range = Some("bytes=0-1");
    let mut m = Measured::default();
    let warmup = 12;
    for i in 0..warmup + plan.ttfb_pairs {
        for path in order(i) {
            let read = ways.read(path, range).await?;
            if i < warmup {
                continue;
            }
            match path {
                Path::Direct => m.direct_ttfb.push(read.elapsed),
                Path::Page => {
                    m.page_ttfb.push(read.elapsed);
                    m.page_hops.push(read.hop);
                }
                Path::Stream => {
                    m.stream_ttfb.push(read.elapsed);
                    m.stream_hops.push(read.hop);
                }
            }
        }
    }
    for i in 0..1 + plan.full_pairs {
        let pair = if i % 2 == 0 { [Path::Stream, Path::Direct] } else { [Path::Direct, Path::Stream] };
        for path in pair {
            let read = ways.read(path, None).await?;
            if read.bytes != plan.object_bytes {
                return Err(format!("short read: {} of {} bytes", read.bytes, plan.object_bytes).into());
            }
            m.bytes = read.bytes;
            if i >= 1 {
                let samples = if path == Path::Direct { &mut m.direct_full } else { &mut m.stream_full };
                samples.push(read.elapsed);
            }
        }
    }
    Ok(m)
}

/// The section: TTFB both ways against direct, side by side, and the throughput.
/// `handlers`: the p50 latency get-video and stream-video logged, in ms.
fn section(m: &Measured, handlers: (f64, f64)) -> Section {
    let direct = m.direct_ttfb.median();
    let (page_ratio, stream_ratio) = (m.page_ttfb.median() / direct, m.stream_ttfb.median() / direct);
    let (player_leg, stream_leg) = (after_hop(&m.page_ttfb, &m.page_hops), after_hop(&m.stream_ttfb, &m.stream_hops));
    let leg_ratio = player_leg.median() / direct;
    let mut ttfb =
        Table::new(&["path to the first byte of `Range: bytes=0-1`", "rounds", "p50", "direct p50", "ratio", "goal"]);
    let mut row = |what: &str, samples: &Samples, value: f64, goal: bool| {
        let verdict = if goal { format!("≤ {TTFB_GOAL}×: {}", verdict(value <= TTFB_GOAL)) } else { "–".into() };
        let cells = [what.into(), samples.len().to_string(), format!("{} ms", ms(samples.median()))];
        ttfb.row([cells.to_vec(), vec![format!("{} ms", ms(direct)), ratio(value), verdict]].concat());
    };
    row("the page's: `GET /videos/{id}` (get-video), then its `stream_url`", &m.page_ttfb, page_ratio, true);
    row("`/stream`'s: the 302 (stream-video), then its Location", &m.stream_ttfb, stream_ratio, true);
    row("the player's leg of the page's path: `stream_url` alone", &player_leg, leg_ratio, false);

    let mib_s = |t: f64| m.bytes as f64 / (1024.0 * 1024.0) / (t / 1000.0);
    let (via_rate, direct_rate) = (mib_s(m.stream_full.median()), mib_s(m.direct_full.median()));
    let throughput_ratio = via_rate / direct_rate;
    let mut full = Table::new(&["measure", "pairs", "via `/stream` p50", "direct p50", "ratio", "goal"]);
    full.row(vec![
        format!("full read of {:.0} MiB (throughput)", m.bytes as f64 / 1048576.0),
        m.stream_full.len().to_string(),
        format!("{via_rate:.0} MiB/s ({} ms)", ms(m.stream_full.median())),
        format!("{direct_rate:.0} MiB/s ({} ms)", ms(m.direct_full.median())),
        format!("{throughput_ratio:.3}"),
        format!("≥ {THROUGHPUT_GOAL}: {}", verdict(throughput_ratio >= THROUGHPUT_GOAL)),
    ]);

    let mut section = Section::new(
        "4. Streaming through the function",
        "what a player pays for getting its URL from a function, both ways it can. The page's path: the mini gateway \
         turns `GET /videos/{id}` into an event for the release `get-video` binary (one GetItem, presigning), and the \
         client reads the `stream_url` of its JSON from LocalStack. `/stream`'s path: the release `stream-video` binary \
         (one GetItem, presigning; it counts no view any more) answers a 302 and the client follows it. Direct: a \
         presigned GET of the same object made once by the bench. Each round times the three in one of the six orders \
         in turn; one keep-alive client for all.",
    );
    for (what, value) in [("the page's path", page_ratio), ("`/stream`'s path", stream_ratio)] {
        section.goal(format!(
            "{what}: median TTFB ratio ≤ {TTFB_GOAL}: {} ({}).",
            ratio(value),
            verdict(value <= TTFB_GOAL)
        ));
    }
    section.goal(format!(
        "throughput ratio ≥ {THROUGHPUT_GOAL}: {throughput_ratio:.3} ({}).",
        verdict(throughput_ratio >= THROUGHPUT_GOAL)
    ));
    section.table("", ttfb);
    section.table("", full);
    section.note(format!(
        "Where the time goes, at p50: `GET /videos/{{id}}` takes {} ms (client → gateway → runtime API → `get-video` → \
         back; the handler logged {} ms), the 302 {} ms (the handler logged {} ms); the ranged GET after them takes \
         {} ms and {} ms, against {} ms for the direct one. Both paths make one call to a function before S3, so on \
         loopback, where LocalStack serves a first byte this fast, that call is most of the difference.",
        ms(m.page_hops.median()),
        ms(handlers.0),
        ms(m.stream_hops.median()),
        ms(handlers.1),
        ms(player_leg.median()),
        ms(stream_leg.median()),
        ms(direct),
    ));
    section.note(
        "The page needs `GET /videos/{id}` anyway, to show the video's name, owner and count, so with `stream_url` \
         its player starts at the third row: no request beyond the one it renders from. Before, it then went through \
         `/stream`: the first two rows' function calls one after the other."
            .into(),
    );
    section
}

/// Each read's time after its URL came back: its TTFB less its hop.
fn after_hop(ttfb: &Samples, hops: &Samples) -> Samples {
    let mut legs = Samples::default();
    for (ttfb, hop) in ttfb.values().iter().zip(hops.values()) {
        legs.push(Duration::from_secs_f64((ttfb - hop).max(0.0) / 1000.0));
    }
    legs
}

/// The handler latencies a function logged (its `request` lines with this route and status).
fn handler_latency(function: &str, route: &str, status: u64) -> Samples {
    let mut samples = Samples::default();
    let log =
        std::fs::read_to_string(crate::lambda::instance::log_dir().join(format!("{function}.log"))).unwrap_or_default();
    for line in log.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()) {
        // lambda_http's JSON log lines put an event's fields under "fields".
        let line = if line["fields"].is_object() { &line["fields"] } else { &line };
        if line["route"] == route && line["status"] == status {
            if let Some(ms) = line["latency_ms"].as_f64() {
                samples.push(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    }
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_takes_every_place_equally_often() {
        for path in [Path::Direct, Path::Page, Path::Stream] {
            for place in 0..3 {
                let count = (0..12).filter(|&i| order(i)[place] == path).count();
                assert_eq!(count, 4, "{path:?} at place {place}");
            }
        }
    }

    fn samples(values: &[f64]) -> Samples {
        let mut s = Samples::default();
        values.iter().for_each(|&v| s.push_ms(v));
        s
    }

    #[test]
    fn the_section_puts_both_paths_side_by_side_against_direct() {
        let m = Measured {
            direct_ttfb: samples(&[2.0, 2.0, 2.0]),
            page_ttfb: samples(&[2.8, 2.8, 2.8]),
            stream_ttfb: samples(&[4.2, 4.2, 4.2]),
            page_hops: samples(&[0.8, 0.8, 0.8]),
            stream_hops: samples(&[2.2, 2.2, 2.2]),
            stream_full: samples(&[100.0]),
            direct_full: samples(&[99.0]),
            bytes: 50 * 1024 * 1024,
        };
        let doc = section(&m, (0.3, 0.4)).markdown();
        assert!(doc.contains("the page's path: median TTFB ratio ≤ 1.5: 1.40× (**met**)"), "{doc}");
        assert!(doc.contains("`/stream`'s path: median TTFB ratio ≤ 1.5: 2.10× (**not met**)"), "{doc}");
        let row = |start: &str| doc.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("{start}: {doc}"));
        assert!(row("| the page's: ").ends_with("| 3 | 2.80 ms | 2.00 ms | 1.40× | ≤ 1.5×: **met** |"), "{doc}");
        assert!(row("| `/stream`'s: ").contains("| 4.20 ms | 2.00 ms | 2.10× |"), "{doc}");
        assert!(row("| the player's leg").ends_with("| 2.00 ms | 2.00 ms | 1.00× | – |"), "{doc}");
        assert!(doc.contains("`GET /videos/{id}` takes 0.800 ms") && doc.contains("the 302 2.20 ms"), "{doc}");
        assert!(doc.contains("the ranged GET after them takes 2.00 ms and 2.00 ms, against 2.00 ms"), "{doc}");
    }
}
