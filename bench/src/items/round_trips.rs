//! Item 1, storage round trips per route, counted by the SDK interceptor
//! (`vidlet_tests::round_trips::measure`, the same run the test pins).

use std::collections::BTreeMap;

use vidlet_tests::round_trips::{measure, RoundTrips};

use crate::report::{Section, Table};
use crate::stats::verdict;
use crate::Result;

/// Route → its calls by operation, for the cost model.
pub type Calls = BTreeMap<String, BTreeMap<String, usize>>;

pub async fn run() -> Result<(Section, Calls)> {
    let rows = measure().await;
    let mut table = Table::new(&["route", "calls (by operation)", "total", "minimum", "why"]);
    let mut calls = Calls::new();
    for row in &rows {
        table.row(vec![
            format!("`{}`", row.route),
            by_operation(row),
            row.total().to_string(),
            row.minimum.to_string(),
            row.why.to_owned(),
        ]);
        calls.insert(row.route.to_owned(), row.calls.clone());
    }
    let at_minimum = rows.iter().filter(|r| r.total() <= r.minimum).count();
    let mut section = Section::new(
        "1. Storage round trips per route",
        "how many DynamoDB and S3 calls one request of each main route makes (each attempt that got an \
         answer counts, presigning counts nothing), next to the fewest its semantics allow.",
    );
    section.goal(format!(
        "every route at its minimum: {at_minimum} of {} routes are; {}",
        rows.len(),
        verdict(at_minimum == rows.len())
    ));
    section.table("", table);
    section.note(
        "`measure()` bootstraps tables of its own (prefix `t<id>_`), as every integration test does, and leaves them \
         like the tests; the bench's own tables are removed at the end."
            .into(),
    );
    Ok((section, calls))
}

fn by_operation(row: &RoundTrips) -> String {
    row.calls.iter().map(|(op, n)| format!("{op} ×{n}")).collect::<Vec<_>>().join(", ")
}
