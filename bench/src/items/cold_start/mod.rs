//! Item 2, cold start and size: each release function spawned fresh, alternating
//! with the hello-world lambda_http binary, timed from spawn to its first
//! `GET next` (init) and to its first answer (init + one cheap request); the
//! ratios to hello checked against issue 1/4's goals per class of function;
//! and what the TLS trust roots cost to load.

use std::time::Duration;

mod goals;

use super::trust_roots;
use crate::lambda::events::{self, HttpReply};
use crate::lambda::instance::{binary, Instance};
use crate::lambda::runtime_api::{Reply, RuntimeApi};
use crate::report::{Section, Table};
use crate::seed::Fixture;
use crate::stack::Stack;
use crate::stats::{mib, ms, ratio, Samples};
use crate::Result;
pub use goals::Class;
use goals::{goals, Metric};

pub const HELLO: &str = "hello";

/// Every function package under functions/, sorted.
pub fn functions() -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(infra::repo_root().join("functions"))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

/// A cheap first request per function, as (description, event). A 4xx is fine:
/// what counts is a full handler round trip, with its storage call if it has one.
pub fn probe(function: &str, fixture: &Fixture) -> (String, Vec<u8>) {
    let missing = uuid::Uuid::now_v7().to_string();
    let bearer = format!("Bearer {}", fixture.token);
    let auth = [("authorization", bearer.as_str())];
    let json_auth = [("authorization", bearer.as_str()), ("content-type", "application/json")];
    let json = [("content-type", "application/json")];
    let (method, path, body) = match function {
        "complete-poster" => ("POST", format!("/videos/{missing}/poster/complete"), None),
        "complete-video" => ("POST", format!("/videos/{missing}/complete"), None),
        "create-comment" => ("POST", format!("/videos/{missing}/comments"), Some(r#"{"content":"hi"}"#)),
        "create-poster" => {
            ("POST", format!("/videos/{missing}/poster"), Some(r#"{"content_type":"image/jpeg","size":10}"#))
        }
        "create-video" => ("POST", "/videos".into(), Some(r#"{"name":"x","content_type":"video/mp4","size":0}"#)),
        "delete-comment" => ("DELETE", format!("/videos/{missing}/comments/{missing}"), None),
        "delete-user" => ("DELETE", "/users/nobody".into(), Some(r#"{"password":"x"}"#)),
        "delete-video" => ("DELETE", format!("/videos/{missing}"), None),
        "get-poster" => ("GET", format!("/videos/{missing}/poster"), None),
        "get-user" => ("GET", "/users/nobody".into(), None),
        "get-video" => ("GET", format!("/videos/{missing}"), None),
        "list-comments" => ("GET", format!("/videos/{missing}/comments"), None),
        "list-user-videos" => ("GET", "/users/nobody/videos".into(), None),
        "list-videos" => ("GET", "/videos".into(), None),
        "login" => ("POST", "/sessions".into(), Some("{")),
        "logout" => ("DELETE", "/sessions/current".into(), None),
        "me" => ("GET", "/me".into(), None),
        "register" => ("POST", "/users".into(), Some(r#"{"username":"A!","password":"x"}"#)),
        "stream-video" => ("GET", format!("/videos/{missing}/stream"), None),
        "count-view" => ("POST", format!("/videos/{missing}/views"), None),
        "sweep" => {
            let event = std::fs::read(infra::repo_root().join("infra/events/scheduled-event.json")).unwrap_or_default();
            return ("scheduled event (empty queue)".into(), event);
        }
        "transcode-events" => {
            // AWS's documented INPUT_INFORMATION event: a job of no video of this stack.
            let event = std::fs::read(infra::repo_root().join("tests/fixtures/events/input_information.json"))
                .unwrap_or_default();
            return ("MediaConvert INPUT_INFORMATION event (unknown job)".into(), event);
        }
        "get-playback" => ("GET", format!("/videos/{missing}/playback"), None),
        "get-playlist" => ("GET", format!("/videos/{missing}/hls/master.m3u8"), None),
        "search-videos" => ("GET", "/search".into(), None),
        "following-feed" => ("GET", "/feed/following".into(), None),
        "list-following" => ("GET", "/me/following".into(), None),
        "follow-user" => ("PUT", "/users/nobody/follow".into(), None),
        "unfollow-user" => ("DELETE", "/users/nobody/follow".into(), None),
        "like-video" => ("PUT", format!("/videos/{missing}/like"), None),
        "unlike-video" => ("DELETE", format!("/videos/{missing}/like"), None),
        "update-video" => ("PATCH", format!("/videos/{missing}"), Some(r#"{"name":"x"}"#)),
        "fallback" => ("GET", "/nope".into(), None),
        "upload-parts" => ("POST", format!("/videos/{missing}/upload/parts"), Some(r#"{"part_numbers":[1]}"#)),
        "get-upload" => ("GET", format!("/videos/{missing}/upload"), None),
        _ => ("GET", "/".into(), None),
    };
    let headers: &[(&str, &str)] = match (function, body.is_some()) {
        ("logout", _) => &[("authorization", "Bearer bogus-session")],
        ("login" | "register", _) => &json,
        (_, true) if needs_session(function) => &json_auth,
        (_, false) if needs_session(function) => &auth,
        _ => &[],
    };
    let body = body.unwrap_or("").as_bytes();
    let shown = path.replace(&missing, "{missing}");
    (format!("{method} {shown}"), events::request(method, &path, headers, body))
}

fn needs_session(function: &str) -> bool {
    matches!(
        function,
        "complete-poster"
            | "complete-video"
            | "create-comment"
            | "create-poster"
            | "create-video"
            | "delete-comment"
            | "delete-user"
            | "delete-video"
            | "me"
            | "following-feed"
            | "list-following"
            | "follow-user"
            | "unfollow-user"
            | "like-video"
            | "unlike-video"
            | "update-video"
    )
}

/// One cold start: (init, first answer, the answer's status).
async fn cold_start(stack: &Stack, function: &str, event: Vec<u8>) -> Result<(Duration, Duration, String)> {
    let api = RuntimeApi::start(function).await?;
    let reply = api.submit(event);
    let mut instance = Instance::spawn(&binary(function), function, &stack.function_env(function), api)?;
    let answer = instance.answer(reply, Duration::from_secs(30)).await;
    let answered = instance.spawned.elapsed();
    let init = instance.api.first_next().map(|t| t - instance.spawned);
    instance.stop().await;
    let status = match answer? {
        Reply::Response(raw) => HttpReply::parse(&raw).map(|r| r.status.to_string()).unwrap_or_else(|_| "ok".into()),
        Reply::Error(raw) => {
            return Err(format!("{function} answered an error: {}", String::from_utf8_lossy(&raw)).into())
        }
    };
    Ok((init.ok_or("no GET next")?, answered, status))
}

struct Row {
    function: String,
    class: Class,
    request: String,
    status: String,
    init: Samples,
    first: Samples,
    hello_init: Samples,
    hello_first: Samples,
    size: u64,
}

impl Row {
    fn ratio(&self, metric: Metric, hello_size: u64) -> f64 {
        match metric {
            Metric::Size => self.size as f64 / hello_size as f64,
            Metric::Init => self.init.median() / self.hello_init.median(),
            Metric::First => self.first.median() / self.hello_first.median(),
        }
    }
}

/// Init durations per function (median ms), for the cost model.
pub type InitMedians = Vec<(String, f64)>;

pub async fn run(stack: &Stack, fixture: &Fixture, spawns: usize, root_runs: usize) -> Result<(Section, InitMedians)> {
    let names = functions()?;
    let mut rows: Vec<Row> = Vec::new();
    for name in &names {
        let size = std::fs::metadata(binary(name))
            .map_err(|e| format!("{name}: {e} (build it: cargo build --release)"))?
            .len();
        let (request, _) = probe(name, fixture);
        rows.push(Row {
            function: name.clone(),
            class: Class::of_function(name)?,
            request,
            status: String::new(),
            init: Samples::default(),
            first: Samples::default(),
            hello_init: Samples::default(),
            hello_first: Samples::default(),
            size,
        });
    }
    let hello_size = std::fs::metadata(binary(HELLO)).map_err(|e| format!("hello: {e}"))?.len();
    // Rounds over every function, each spawn followed by a hello spawn.
    for _ in 0..spawns {
        for row in rows.iter_mut() {
            let (_, event) = probe(&row.function, fixture);
            let (init, first, status) = cold_start(stack, &row.function, event).await?;
            row.init.push(init);
            row.first.push(first);
            row.status = status;
            let (init, first, _) = cold_start(stack, HELLO, events::get("/", &[])).await?;
            row.hello_init.push(init);
            row.hello_first.push(first);
        }
    }
    let roots = trust_roots::measure(root_runs).await?;

    let mut table = Table::new(&[
        "function",
        "vidlet features",
        "first request → status",
        "init p50 ms",
        "hello init p50 ms",
        "init ratio",
        "first response p50 ms",
        "hello first p50 ms",
        "first-response ratio",
        "binary",
        "hello binary",
        "size ratio",
    ]);
    let (mut all_hello_init, mut all_hello_first) = (Samples::default(), Samples::default());
    let mut medians = InitMedians::new();
    for row in &rows {
        all_hello_init.extend(&row.hello_init);
        all_hello_first.extend(&row.hello_first);
        medians.push((row.function.clone(), row.init.median()));
        table.row(vec![
            format!("`{}`", row.function),
            row.class.short().into(),
            format!("`{}` → {}", row.request, row.status),
            ms(row.init.median()),
            ms(row.hello_init.median()),
            ratio(row.ratio(Metric::Init, hello_size)),
            ms(row.first.median()),
            ms(row.hello_first.median()),
            ratio(row.ratio(Metric::First, hello_size)),
            mib(row.size),
            mib(hello_size),
            ratio(row.ratio(Metric::Size, hello_size)),
        ]);
    }
    let (goals_table, goal_lines) = goals(&rows, hello_size);
    let mut section = Section::new(
        "2. Cold start and binary size",
        "the price of a cold start over a bare lambda_http binary: each release function (x86_64, the workspace's \
         release profile) is spawned with Lambda's environment against the bench's runtime API, alternating with the \
         hello-world binary; init is spawn → first `GET …/invocation/next`, first response is spawn → the first \
         answer posted back (init, one request and its storage calls on fresh connections). The ratios are checked \
         against issue 1/4's goals, per class of function: no AWS client (`web`, `fallback`), DynamoDB only, and \
         DynamoDB with S3.",
    );
    for line in goal_lines {
        section.goal(line);
    }
    section.table(
        "Goals (issue 1/4): per class, the worst and the median of the functions' ratios to hello (each ratio of \
         medians, as in the table below). *Before* is the figure the issue quotes from the build that linked one \
         `App` into every function; it was not measured in this run.",
        goals_table,
    );
    section.table(&format!("{spawns} spawns per function and as many of hello, alternating."), table);
    section.table(&roots.caption(), roots.table());
    section.note(format!(
        "hello over all its spawns: init p50 {} ms, first response p50 {} ms (n = {}).",
        ms(all_hello_init.median()),
        ms(all_hello_first.median()),
        all_hello_init.len()
    ));
    section.note(
        "Before (issue 1/4, from the previous BENCHMARKS.md): every route binary 13.6–13.7 MiB on x86_64 against \
         hello's 2.7 MiB (5.1×); init 3.4–3.6× hello's (`web`, `fallback` 3.5×); first response 3.2–5.0× hello's."
            .into(),
    );
    section.note(
        "Binaries are built with `strip = true` (the workspace's release profile), so the sizes are stripped sizes. \
         The page cache is warm after the first spawn, so these are not Lambda's full cold starts (no code download, \
         no micro-VM boot): they isolate what the binary itself adds."
            .into(),
    );
    section.note(
        "A function's class is read from its Cargo.toml (the features of its `vidlet` dependency). `make bench` \
         builds every function and hello in one cargo invocation, as `make package` builds the functions, so cargo \
         compiles `vidlet` once with the union of those features: the class says what a function's code can reach, \
         and the linker is left to drop the rest (a build per function is not measured here)."
            .into(),
    );
    section.note(
        "Each function builds during init only the AWS clients its handler uses (`Dynamo::from_env`, \
         `Bucket::from_env`; `web` and `fallback` build none), from the environment and with compiled-in trust \
         roots; their first response includes opening the first connection to DynamoDB Local or LocalStack, which \
         hello never does."
            .into(),
    );
    section.note(roots.note());
    Ok((section, medians))
}
