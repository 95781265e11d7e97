//! Item 4, streaming: the release stream-video function behind the mini gateway,
//! its redirect followed, against a direct presigned GET of the same object.

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

/// Through the function: GET /videos/{id}/stream, then its Location. Also
/// returns how long the 302 alone took.
async fn via_function(
    client: &reqwest::Client,
    gateway: &Gateway,
    id: &str,
    range: Option<&str>,
) -> Result<(Duration, usize, Duration)> {
    let started = Instant::now();
    let redirect = client.get(gateway.url(&format!("/videos/{id}/stream"))).send().await?;
    if redirect.status().as_u16() != 302 {
        return Err(format!("stream: {}", redirect.status()).into());
    }
    let location = redirect.headers().get("location").and_then(|v| v.to_str().ok()).ok_or("no Location")?.to_owned();
    let _ = redirect.bytes().await?;
    let redirected = started.elapsed();
    let (elapsed, bytes) = fetch(client, &location, range, started).await?;
    Ok((elapsed, bytes, redirected))
}

async fn direct(client: &reqwest::Client, url: &str, range: Option<&str>) -> Result<(Duration, usize)> {
    fetch(client, url, range, Instant::now()).await
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

    let api = RuntimeApi::start("stream-video").await?;
    let mut instance =
        Instance::spawn(&binary("stream-video"), "stream-video", &stack.function_env("stream-video"), api)?;
    instance.ready(Duration::from_secs(30)).await?;
    let gateway = Gateway::start(instance.api.clone()).await?;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;

    let result = measure(&client, &gateway, &id, &direct_url, plan).await;
    instance.stop().await;
    let (via_ttfb, direct_ttfb, via_full, direct_full, bytes, redirects) = result?;

    let ttfb_ratio = via_ttfb.median() / direct_ttfb.median();
    let mib_s = |t: f64| bytes as f64 / (1024.0 * 1024.0) / (t / 1000.0);
    let (via_rate, direct_rate) = (mib_s(via_full.median()), mib_s(direct_full.median()));
    let throughput_ratio = via_rate / direct_rate;

    let mut table = Table::new(&["measure", "pairs", "via function p50", "direct p50", "ratio", "goal"]);
    table.row(vec![
        "time to first byte of `Range: bytes=0-1`".into(),
        via_ttfb.len().to_string(),
        format!("{} ms", ms(via_ttfb.median())),
        format!("{} ms", ms(direct_ttfb.median())),
        ratio(ttfb_ratio),
        format!("≤ {TTFB_GOAL}×: {}", verdict(ttfb_ratio <= TTFB_GOAL)),
    ]);
    table.row(vec![
        format!("full read of {:.0} MiB (throughput)", bytes as f64 / 1048576.0),
        via_full.len().to_string(),
        format!("{via_rate:.0} MiB/s ({} ms)", ms(via_full.median())),
        format!("{direct_rate:.0} MiB/s ({} ms)", ms(direct_full.median())),
        format!("{throughput_ratio:.3}"),
        format!("≥ {THROUGHPUT_GOAL}: {}", verdict(throughput_ratio >= THROUGHPUT_GOAL)),
    ]);
    let mut section = Section::new(
        "4. Streaming through the function",
        "what the function's redirect costs a player. Via the function: the mini gateway turns `GET /videos/{id}/stream` \
         into an event for the release `stream-video` binary (counting the view, presigning), the client follows the \
         302 to LocalStack. Direct: a presigned GET of the same object made once by the bench. Pairs alternate, \
         order flipped each pair; one keep-alive client for both.",
    );
    section.goal(format!(
        "median TTFB ratio ≤ {TTFB_GOAL}: {} ({}).",
        ratio(ttfb_ratio),
        verdict(ttfb_ratio <= TTFB_GOAL)
    ));
    section.goal(format!(
        "throughput ratio ≥ {THROUGHPUT_GOAL}: {throughput_ratio:.3} ({}).",
        verdict(throughput_ratio >= THROUGHPUT_GOAL)
    ));
    section.table("", table);
    let mut s3_leg = Samples::default();
    for (ttfb, redirect) in via_ttfb.values().iter().zip(redirects.values()) {
        s3_leg.push(Duration::from_secs_f64((ttfb - redirect).max(0.0) / 1000.0));
    }
    section.note(format!(
        "Where the TTFB via the function goes, at p50: the 302 takes {} ms (client → gateway → runtime API → \
         `stream-video` → back), of which the handler itself (one UpdateItem on DynamoDB Local, presigning) logged \
         {} ms; then the ranged GET of the Location takes {} ms, against {} ms for the direct one. On loopback \
         LocalStack serves a first byte that fast, so the hop alone adds {:.0}% to it (the goal needs it under 50%).",
        ms(redirects.median()),
        ms(handler_latency("stream-video", "GET /videos/{id}/stream", 302).median()),
        ms(s3_leg.median()),
        ms(direct_ttfb.median()),
        redirects.median() / direct_ttfb.median() * 100.0
    ));
    section.note(
        "The bytes never pass through the function: after the redirect the player reads S3 directly, so only the \
         first byte pays for the extra round trip (gateway → function → one UpdateItem → 302)."
            .into(),
    );
    Ok((section, ()))
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

type Measured = (Samples, Samples, Samples, Samples, usize, Samples);

async fn measure(
    client: &reqwest::Client,
    gateway: &Gateway,
    id: &str,
    direct_url: &str,
    plan: &Plan,
) -> Result<Measured> {
    let range = Some("bytes=0-1");
    let (mut via_ttfb, mut direct_ttfb, mut redirects) = (Samples::default(), Samples::default(), Samples::default());
    let warmup = 10;
    for i in 0..warmup + plan.ttfb_pairs {
        let (v, d) = if i % 2 == 0 {
            (via_function(client, gateway, id, range).await?, direct(client, direct_url, range).await?)
        } else {
            let d = direct(client, direct_url, range).await?;
            (via_function(client, gateway, id, range).await?, d)
        };
        if i >= warmup {
            via_ttfb.push(v.0);
            direct_ttfb.push(d.0);
            redirects.push(v.2);
        }
    }
    let (mut via_full, mut direct_full) = (Samples::default(), Samples::default());
    let mut bytes = 0;
    for i in 0..1 + plan.full_pairs {
        let (v, d) = if i % 2 == 0 {
            (via_function(client, gateway, id, None).await?, direct(client, direct_url, None).await?)
        } else {
            let d = direct(client, direct_url, None).await?;
            (via_function(client, gateway, id, None).await?, d)
        };
        if v.1 != plan.object_bytes || d.1 != plan.object_bytes {
            return Err(format!("short read: {} and {} of {} bytes", v.1, d.1, plan.object_bytes).into());
        }
        bytes = v.1;
        if i >= 1 {
            via_full.push(v.0);
            direct_full.push(d.0);
        }
    }
    Ok((via_ttfb, direct_ttfb, via_full, direct_full, bytes, redirects))
}
