//! The EMF that `vidlet::metrics` writes, in a process of its own (the recorder
//! is global): one JSON document a line, CloudWatch's embedded metric format.

use serde_json::{json, Value};
use vidlet::metrics;

#[test]
fn every_metric_is_written_as_well_formed_emf() {
    metrics::init("get-video");
    metrics::upload_completed();
    metrics::upload_completed();
    metrics::upload_rejected();
    metrics::view_counted();
    metrics::sweep_backlog(42);
    metrics::sweep_records_processed(7);
    metrics::login_throttled();
    metrics::transcode_submitted();
    metrics::transcode_ended(true);
    metrics::transcode_ended(false);

    let mut out = Vec::new();
    metrics::flush_to(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one document for one dimension set: {text}");
    let doc: Value = serde_json::from_str(lines[0]).expect("a JSON object");

    let aws = &doc["_aws"];
    assert!(aws["Timestamp"].as_u64().is_some_and(|ms| ms > 1_700_000_000_000), "epoch milliseconds: {doc}");
    let directives = aws["CloudWatchMetrics"].as_array().unwrap();
    assert_eq!(directives.len(), 1);
    assert_eq!(directives[0]["Namespace"], metrics::NAMESPACE);
    assert_eq!(directives[0]["Dimensions"], json!([["function"]]));
    assert_eq!(doc["function"], "get-video", "the dimension's value");
    let mut declared: Vec<(String, String)> = directives[0]["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["Name"].as_str().unwrap().to_owned(), m["Unit"].as_str().unwrap().to_owned()))
        .collect();
    declared.sort();
    let names = [
        "LoginsThrottled",
        "SweepBacklog",
        "SweepRecordsProcessed",
        "TranscodesCompleted",
        "TranscodesFailed",
        "TranscodesSubmitted",
        "UploadsCompleted",
        "UploadsRejected",
        "ViewsCounted",
    ];
    assert_eq!(declared, names.map(|n| (n.to_owned(), "Count".to_owned())));
    // Each declared metric's value sits at the top level under its name.
    assert_eq!(doc["UploadsCompleted"], 2);
    assert_eq!(doc["UploadsRejected"], 1);
    assert_eq!(doc["ViewsCounted"], 1);
    assert_eq!(doc["SweepBacklog"], json!([42.0]), "one sample per run");
    assert_eq!(doc["SweepRecordsProcessed"], 7);
    assert_eq!(doc["LoginsThrottled"], 1);
    assert_eq!(
        (&doc["TranscodesSubmitted"], &doc["TranscodesCompleted"], &doc["TranscodesFailed"]),
        (&json!(1), &json!(1), &json!(1))
    );

    // Flushed per invocation: the next flush writes only what came after.
    let mut again = Vec::new();
    metrics::flush_to(&mut again).unwrap();
    assert!(again.is_empty(), "counters restart from zero: {}", String::from_utf8_lossy(&again));
    metrics::view_counted();
    let mut third = Vec::new();
    metrics::flush_to(&mut third).unwrap();
    let doc: Value = serde_json::from_slice(&third).unwrap();
    assert_eq!(doc["ViewsCounted"], 1);
    assert!(doc.get("UploadsCompleted").is_none(), "{doc}");
}
