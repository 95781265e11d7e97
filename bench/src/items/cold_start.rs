//! Item 2, cold start and size: each release function spawned fresh, alternating
//! with the hello-world lambda_http binary, timed from spawn to its first
//! `GET next` (init) and to its first answer (init + one cheap request); the
//! ratios to hello checked against issue 1/4's goals per class of function;
//! and what the TLS trust roots cost to load.

use std::time::Duration;

use super::trust_roots;
use crate::lambda::events::{self, HttpReply};
use crate::lambda::instance::{binary, Instance};
use crate::lambda::runtime_api::{Reply, RuntimeApi};
use crate::report::{Section, Table};
use crate::seed::Fixture;
use crate::stack::Stack;
use crate::stats::{mib, ms, ratio, verdict, Samples};
use crate::Result;

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

/// What a function links, by the features of its `vidlet` dependency: the
/// classes issue 1/4 sets its goals for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// No features: `web` and `fallback`, no AWS client.
    NoStorage,
    /// `features = ["dynamodb"]`.
    DynamoDb,
    /// `features = ["dynamodb", "s3"]` (the sweep among them).
    S3,
}

impl Class {
    pub const ALL: [Class; 3] = [Class::NoStorage, Class::DynamoDb, Class::S3];

    /// For tables and goal lines.
    pub fn name(self) -> &'static str {
        match self {
            Class::NoStorage => "no AWS client (web, fallback)",
            Class::DynamoDb => "DynamoDB only",
            Class::S3 => "DynamoDB and S3 (incl. sweep)",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Class::NoStorage => "none",
            Class::DynamoDb => "DynamoDB",
            Class::S3 => "DynamoDB, S3",
        }
    }

    /// Reads `functions/<name>/Cargo.toml`.
    pub fn of_function(function: &str) -> Result<Class> {
        let path = infra::repo_root().join("functions").join(function).join("Cargo.toml");
        let manifest = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Class::of_manifest(&manifest).map_err(|e| format!("{}: {e}", path.display()).into())
    }

    /// From a manifest's `vidlet = { …, features = [...] }` (or `vidlet.workspace = true`) line.
    pub fn of_manifest(manifest: &str) -> Result<Class> {
        let line = manifest
            .lines()
            .map(str::trim)
            .find(|l| l.strip_prefix("vidlet").is_some_and(|rest| rest.starts_with([' ', '=', '.'])))
            .ok_or("no `vidlet = …` dependency line")?;
        let features: Vec<&str> = match line.split_once("features") {
            None => Vec::new(),
            Some((_, rest)) => {
                let list = rest.split_once('[').and_then(|(_, r)| r.split_once(']')).ok_or("unreadable features")?.0;
                list.split(',').map(|f| f.trim().trim_matches('"')).filter(|f| !f.is_empty()).collect()
            }
        };
        Ok(if features.contains(&"s3") {
            Class::S3
        } else if features.contains(&"dynamodb") {
            Class::DynamoDb
        } else {
            Class::NoStorage
        })
    }
}

/// The three ratios to hello the issue sets goals for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Metric {
    Size,
    Init,
    First,
}

impl Metric {
    const ALL: [Metric; 3] = [Metric::Size, Metric::Init, Metric::First];

    fn name(self) -> &'static str {
        match self {
            Metric::Size => "binary size",
            Metric::Init => "init",
            Metric::First => "first response",
        }
    }

    /// Issue 1/4's goal, as a ratio to hello.
    fn goal(self, class: Class) -> f64 {
        match (self, class) {
            (Metric::Size, Class::NoStorage) => 1.3,
            (Metric::Size, Class::DynamoDb) => 2.5,
            (Metric::Size, Class::S3) => 3.5,
            (Metric::Init, Class::NoStorage) => 1.2,
            (Metric::Init, _) => 1.5,
            (Metric::First, _) => 2.5,
        }
    }

    /// The figures issue 1/4 quotes from the build before it (one `App` linked
    /// into every function), for comparison. Static: not measured in this run.
    fn before(self, class: Class) -> &'static str {
        match (self, class) {
            (Metric::Size, _) => "5.1×",
            (Metric::Init, Class::NoStorage) => "3.5×",
            (Metric::Init, _) => "3.4–3.6×",
            (Metric::First, _) => "3.2–5.0×",
        }
    }
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
        "sweep" => {
            let event = std::fs::read(infra::repo_root().join("infra/events/scheduled-event.json")).unwrap_or_default();
            return ("scheduled event (empty queue)".into(), event);
        }
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
        "complete-video"
            | "create-comment"
            | "create-poster"
            | "create-video"
            | "delete-comment"
            | "delete-user"
            | "delete-video"
            | "me"
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

/// The middle value, or the mean of the two middle ones; NaN when empty.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The issue's goals table and one goal line per metric (for the summary).
fn goals(rows: &[Row], hello_size: u64) -> (Table, Vec<String>) {
    let mut table = Table::new(&[
        "metric",
        "class",
        "functions",
        "before (issue 1/4)",
        "worst (function)",
        "median",
        "goal",
        "verdict",
    ]);
    let mut lines = Vec::new();
    for metric in Metric::ALL {
        let mut parts = Vec::new();
        let mut all_met = true;
        for class in Class::ALL {
            let members: Vec<&Row> = rows.iter().filter(|r| r.class == class).collect();
            let mut ratios = Vec::new();
            let mut worst: Option<(f64, &str)> = None;
            for row in &members {
                // NaN (nothing measured) counts as the worst and fails the goal.
                let r = row.ratio(metric, hello_size);
                let r = if r.is_nan() { f64::INFINITY } else { r };
                ratios.push(r);
                if worst.is_none_or(|(w, _)| r > w) {
                    worst = Some((r, &row.function));
                }
            }
            let goal = metric.goal(class);
            let met = worst.is_some_and(|(w, _)| w <= goal);
            all_met &= met;
            let functions = match members.len() {
                0 => "none".to_string(),
                1..=3 => members.iter().map(|r| format!("`{}`", r.function)).collect::<Vec<_>>().join(", "),
                n => format!("{n}"),
            };
            table.row(vec![
                metric.name().into(),
                class.name().into(),
                functions,
                metric.before(class).into(),
                worst.map(|(w, f)| format!("{} (`{f}`)", ratio(w))).unwrap_or_else(|| "–".into()),
                ratio(median(ratios)),
                format!("≤ {}×", metric.goal(class)),
                if met { "met".into() } else { "**NOT met**".into() },
            ]);
            parts.push(format!(
                "{} {} (≤ {}×)",
                class.name(),
                worst.map(|(w, _)| ratio(w)).unwrap_or_else(|| "–".into()),
                goal
            ));
        }
        lines.push(format!(
            "{} vs hello's, worst per class (issue 1/4): {}; {}",
            metric.name(),
            parts.join(", "),
            verdict(all_met)
        ));
    }
    (table, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_come_from_the_vidlet_features() {
        let manifest = |dep: &str| {
            format!("[package]\nname = \"x\"\n\n[dependencies]\n{dep}\nvidlet-tests = {{ path = \"../t\" }}\n")
        };
        assert_eq!(Class::of_manifest(&manifest("vidlet.workspace = true")).unwrap(), Class::NoStorage);
        let dynamo = manifest(r#"vidlet = { workspace = true, features = ["dynamodb"] }"#);
        assert_eq!(Class::of_manifest(&dynamo).unwrap(), Class::DynamoDb);
        let s3 = manifest(r#"vidlet = { workspace = true, features = ["dynamodb", "s3"] }"#);
        assert_eq!(Class::of_manifest(&s3).unwrap(), Class::S3);
        assert!(Class::of_manifest("[dependencies]\nvidlet-tests = 1\n").is_err());
    }

    fn row(function: &str, class: Class, size: u64, init: f64, first: f64) -> Row {
        let mut row = Row {
            function: function.into(),
            class,
            request: String::new(),
            status: String::new(),
            init: Samples::default(),
            first: Samples::default(),
            hello_init: Samples::default(),
            hello_first: Samples::default(),
            size,
        };
        row.init.push_ms(init);
        row.first.push_ms(first);
        row.hello_init.push_ms(2.0);
        row.hello_first.push_ms(4.0);
        row
    }

    #[test]
    fn goals_take_the_worst_function_of_each_class() {
        let rows = [
            row("web", Class::NoStorage, 120, 2.2, 4.4),
            row("fallback", Class::NoStorage, 110, 2.0, 4.0),
            row("get-video", Class::DynamoDb, 240, 2.8, 8.0),
            row("login", Class::DynamoDb, 260, 2.9, 9.6),
            row("sweep", Class::S3, 300, 3.2, f64::NAN),
        ];
        let (table, lines) = goals(&rows, 100);
        let table = table.markdown();
        let line = |metric: &str, class: Class| {
            table.lines().find(|l| l.starts_with(&format!("| {metric} | {} |", class.name()))).unwrap().to_owned()
        };
        assert!(line("binary size", Class::NoStorage).contains("| 1.20× (`web`) | 1.15× | ≤ 1.3× | met |"));
        assert!(line("binary size", Class::DynamoDb).contains("| 2.60× (`login`) | 2.50× | ≤ 2.5× | **NOT met** |"));
        assert!(line("init", Class::S3).contains("| 1.60× (`sweep`) |"));
        // Nothing measured fails the goal.
        assert!(line("first response", Class::S3).ends_with("| **NOT met** |"));
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.ends_with("**not met**")));
    }

    #[test]
    fn every_function_has_a_class() {
        let names = functions().unwrap();
        let classes: Vec<Class> = names.iter().map(|n| Class::of_function(n).unwrap()).collect();
        let of = |name: &str| classes[names.iter().position(|n| n == name).unwrap()];
        assert_eq!((of("web"), of("fallback")), (Class::NoStorage, Class::NoStorage));
        assert_eq!((of("get-video"), of("sweep")), (Class::DynamoDb, Class::S3));
    }
}
