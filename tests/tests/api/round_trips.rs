//! Storage calls per route must not grow: each route's count is pinned to the
//! minimum its semantics need (see the table in BENCHMARKS.md).

#[tokio::test]
async fn no_route_makes_more_storage_calls_than_its_minimum() {
    // Boxed: the measuring future, one state for every route, is too large for the test thread's stack.
    let rows = Box::pin(vidlet_tests::round_trips::measure()).await;
    assert!(rows.len() >= 16);
    for row in &rows {
        assert_eq!(row.total(), row.minimum, "{}: {:?} ({})", row.route, row.calls, row.why);
    }
}
