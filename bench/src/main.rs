//! `make bench` (`bash infra/bench.sh`): runs the nine benchmark items against
//! the local stack and the release binaries, and writes BENCHMARKS.md.
//!
//! Environment: `BENCH_QUICK=1` runs a small version of every item (written to
//! target/bench/BENCHMARKS.quick.md), `BENCH_ONLY=2,4` only those items (same
//! file); `BENCH_STARTED_AT` (epoch ms) and `BENCH_BUILD_SECONDS` come from
//! infra/bench.sh so the report states the whole run's wall time.

mod items;
mod lambda;
mod machine;
mod report;
mod seed;
mod stack;
mod stats;

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use items::{cold_start, concurrency, cost, following, round_trips, search, streaming, sweep, upload, warm};
use report::Section;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

/// How much of each item to run.
struct Plan {
    quick: bool,
    only: Option<Vec<u32>>,
    cold_spawns: usize,
    trust_root_runs: usize,
    warm_calls: usize,
    streaming: streaming::Plan,
    sweep: sweep::Plan,
    load_for: Duration,
    upload: upload::Plan,
    following: following::Plan,
    search: search::Plan,
}

impl Plan {
    fn from_env() -> Self {
        let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| v == "1");
        let only =
            std::env::var("BENCH_ONLY").ok().map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect());
        let pick = |full: usize, small: usize| if quick { small } else { full };
        Plan {
            quick,
            only,
            cold_spawns: pick(25, 2),
            trust_root_runs: pick(200, 20),
            warm_calls: pick(1000, 40),
            streaming: streaming::Plan {
                ttfb_pairs: pick(300, 20),
                full_pairs: pick(15, 2),
                object_bytes: pick(50, 8) * 1024 * 1024,
            },
            sweep: sweep::Plan {
                videos: pick(10_000, 1_000),
                short_budget: Duration::from_millis(pick(5_000, 300) as u64),
            },
            load_for: Duration::from_secs(pick(30, 3) as u64),
            // 1 GiB (64 MiB quick), three runs each way.
            upload: upload::Plan { file_bytes: pick(1024, 64) as u64 * 1024 * 1024, runs: 3 },
            following: following::Plan { runs: pick(15, 3) },
            // 10,000 videos (1,000 quick), the first pages of each query walked 5 times (once quick).
            search: search::Plan { videos: pick(10_000, 1_000), runs: pick(5, 1) },
        }
    }

    fn runs(&self, item: u32) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&item))
    }

    fn is_full(&self) -> bool {
        !self.quick && self.only.is_none()
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one item on its own task, so a panic (say, an assert in `measure()`)
/// becomes a failed section instead of ending the run.
async fn item<T, F>(title: &str, fut: F) -> (Section, Option<T>)
where
    T: Send + 'static,
    F: Future<Output = Result<(Section, T)>> + Send + 'static,
{
    eprintln!("bench: {title} …");
    let started = Instant::now();
    let outcome = match tokio::spawn(fut).await {
        Ok(Ok((section, value))) => (section, Some(value)),
        Ok(Err(err)) => (Section::failed(title, &err.to_string()), None),
        Err(panic) => (Section::failed(title, &format!("panicked: {panic}")), None),
    };
    eprintln!("bench: {title} took {:.1} s", started.elapsed().as_secs_f64());
    outcome
}

async fn run() -> Result<()> {
    let started = Instant::now();
    let plan = Plan::from_env();
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let machine = machine::Machine::read();
    let load_before = machine::load_average();
    let logs = lambda::instance::log_dir();
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs)?;

    let stack = Arc::new(stack::Stack::create("").await?);
    let outcome = run_items(&plan, stack.clone()).await;
    stack.destroy().await?;
    let mut sections = outcome?;

    let wall = wall_time(started);
    let load_after = machine::load_average();
    eprintln!("bench: total wall time {:.1} s ({:.1} min)", wall.as_secs_f64(), wall.as_secs_f64() / 60.0);
    let mut doc = header(&plan, &date, &machine, &load_before, &load_after, wall);
    doc += &summary(&sections);
    for section in sections.drain(..) {
        doc += &section.markdown();
    }
    let out = if plan.is_full() {
        infra::repo_root().join("BENCHMARKS.md")
    } else {
        infra::repo_root().join("target/bench/BENCHMARKS.quick.md")
    };
    std::fs::write(&out, doc)?;
    eprintln!("bench: wrote {}", out.display());
    Ok(())
}

async fn run_items(plan: &Plan, stack: Arc<stack::Stack>) -> Result<Vec<Section>> {
    let mut sections = Vec::new();
    eprintln!("bench: seeding a user and {} videos …", seed::FEED_VIDEOS);
    let fixture = Arc::new(seed::Fixture::create(&stack).await?);

    let mut calls = None;
    if plan.runs(1) || plan.runs(7) {
        let (section, value) = item("1. Storage round trips per route", round_trips::run()).await;
        sections.push(section);
        calls = value;
    }
    let mut inits = None;
    if plan.runs(2) || plan.runs(7) {
        let (s, f, n, r) = (stack.clone(), fixture.clone(), plan.cold_spawns, plan.trust_root_runs);
        let (section, value) =
            item("2. Cold start and binary size", async move { cold_start::run(&s, &f, n, r).await }).await;
        sections.push(section);
        inits = value;
    }
    let mut warm = None;
    if plan.runs(3) || plan.runs(7) {
        let (s, f, n) = (stack.clone(), fixture.clone(), plan.warm_calls);
        let (section, value) = item("3. Warm latency overhead", async move { warm::run(&s, &f, n).await }).await;
        sections.push(section);
        warm = value;
    }
    if plan.runs(4) {
        let (s, f) = (stack.clone(), fixture.clone());
        let p = plan.streaming;
        let (section, _) =
            item("4. Streaming through the function", async move { streaming::run(&s, &f, &p).await }).await;
        sections.push(section);
    }
    if plan.runs(5) {
        let p = plan.sweep;
        let (section, _) = item("5. The deletion sweep", async move { Ok((sweep::run(&p).await?, ())) }).await;
        sections.push(section);
    }
    if plan.runs(6) {
        let (s, f, d) = (stack.clone(), fixture.clone(), plan.load_for);
        let (section, _) = item("6. Concurrency", async move { concurrency::run(&s, &f, d).await }).await;
        sections.push(section);
    }
    if plan.runs(7) {
        let section = match (&calls, &warm) {
            (Some(calls), Some(warm)) => {
                let worst_init_ms = inits.iter().flatten().map(|(_, ms)| *ms).fold(f64::NAN, f64::max);
                let inputs = cost::Inputs {
                    calls,
                    warm,
                    create_ms: &fixture.create_ms,
                    complete_ms: &fixture.complete_ms,
                    poster_ms: &fixture.poster_ms,
                    worst_init_ms,
                };
                cost::run(&inputs).unwrap_or_else(|e| Section::failed("7. Cost model", &e.to_string()))
            }
            _ => Section::failed("7. Cost model", "items 1 and 3 did not produce their numbers"),
        };
        sections.push(section);
    }
    if plan.runs(8) {
        let (s, p) = (stack.clone(), plan.upload);
        let (section, _) = item("8. Upload throughput", async move { upload::run(&s, &p).await }).await;
        sections.push(section);
    }
    if plan.runs(9) {
        let p = plan.following;
        let (section, _) = item("9. The following feed", async move { Ok((following::run(&p).await?, ())) }).await;
        sections.push(section);
    }
    if plan.runs(10) {
        let p = plan.search;
        let (section, _) = item("10. Search on 10,000 videos", async move { Ok((search::run(&p).await?, ())) }).await;
        sections.push(section);
    }
    Ok(sections)
}

/// From infra/bench.sh's start (BENCH_STARTED_AT, epoch ms) if given, else from ours.
fn wall_time(started: Instant) -> Duration {
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
    match std::env::var("BENCH_STARTED_AT").ok().and_then(|v| v.parse::<u64>().ok()) {
        Some(at) if at <= now_ms => Duration::from_millis(now_ms - at),
        _ => started.elapsed(),
    }
}

fn header(
    plan: &Plan,
    date: &str,
    m: &machine::Machine,
    load_before: &str,
    load_after: &str,
    wall: Duration,
) -> String {
    let functions = cold_start::functions().unwrap_or_default();
    let packages: String = functions.iter().map(|f| format!(" -p {f}")).collect();
    let build = std::env::var("BENCH_BUILD_SECONDS").ok().and_then(|s| s.parse::<f64>().ok());
    let mut doc = String::from("# vidlet benchmarks\n\n");
    doc += "Generated by `make bench`; do not edit by hand, run it again. Every ratio compares two things measured \
            side by side in the same loop, alternating; absolute times are this machine's and only give the scale.\n\n";
    if !plan.is_full() {
        doc += "**Partial run** (`BENCH_QUICK` or `BENCH_ONLY`): not the numbers to quote.\n\n";
    }
    doc += &format!(
        "- Date: {date}\n- Machine: {} cores ({}), {} memory, {} (Linux {}); shared and noisy: 1-minute load average \
         {load_before} at the start, {load_after} at the end.\n- Total wall time of `make bench`: **{:.1} s ({:.1} min)**{}.\n\n",
        m.cores,
        m.cpu,
        m.memory,
        m.os,
        m.kernel,
        wall.as_secs_f64(),
        wall.as_secs_f64() / 60.0,
        build.map(|b| format!(", of which {b:.0} s building")).unwrap_or_default(),
    );
    doc += &format!(
        "Commands (`make bench` runs `bash infra/bench.sh`):\n\n```sh\nbash localstack/start.sh          # LocalStack S3 :4566, DynamoDB Local :8000\n\
         cargo build --release{packages} -p hello\ncargo build --release -p vidlet-cli\ncargo build --release -p bench\ntarget/release/bench\n```\n\n"
    );
    doc
}

/// Every goal of every section, in one table.
fn summary(sections: &[Section]) -> String {
    let mut table = report::Table::new(&["item", "goal"]);
    for section in sections {
        for goal in &section.goals {
            table.row(vec![section.title.clone(), goal.clone()]);
        }
    }
    format!("## Summary of goals\n\n{}\n", table.markdown())
}
