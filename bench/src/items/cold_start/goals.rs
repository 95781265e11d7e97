//! Issue 1/4's goals for item 2: which class each function belongs to, and
//! the worst and median ratio to hello per class and metric.

use super::Row;
use crate::report::Table;
use crate::stats::{ratio, verdict};
use crate::Result;

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
            Class::NoStorage => "no AWS client (fallback)",
            Class::DynamoDb => "DynamoDB only",
            Class::S3 => "DynamoDB and S3 (incl. sweep)",
        }
    }

    pub(super) fn short(self) -> &'static str {
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
pub(super) enum Metric {
    Size,
    Init,
    First,
}

impl Metric {
    pub(super) const ALL: [Metric; 3] = [Metric::Size, Metric::Init, Metric::First];

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
pub(super) fn goals(rows: &[Row], hello_size: u64) -> (Table, Vec<String>) {
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
    use crate::items::cold_start::functions;
    use crate::stats::Samples;

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
        // web reads the videos and users tables for its share cards.
        assert_eq!((of("web"), of("fallback")), (Class::DynamoDb, Class::NoStorage));
        assert_eq!((of("list-videos"), of("sweep")), (Class::DynamoDb, Class::S3));
        // get-video presigns its stream_url.
        assert_eq!((of("get-video"), of("count-view")), (Class::S3, Class::DynamoDb));
    }
}
