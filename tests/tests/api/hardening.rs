//! What the local stack cannot enforce, read from template.yaml: the bucket
//! refuses requests without TLS, a deployed bucket's CORS allows no local
//! origin unless asked, alarms watch the sweep's dead-letter queue and the
//! API's 5xx, and Lambda traces every function. (delivery_template.rs reads
//! CloudFront's and MediaConvert's part.)

use std::collections::{BTreeMap, HashMap};

use serde_norway::Value;
use vidlet_tests::template;

/// A value as written in the template: `!Ref X`, `!GetAtt X.Y`, `!Sub "..."`, or the plain string.
pub(crate) fn written(value: &Value) -> String {
    match value {
        Value::Tagged(tagged) => format!("{} {}", tagged.tag, written(&tagged.value)),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Sequence(items) => format!("[{}]", items.iter().map(written).collect::<Vec<_>>().join(", ")),
        other => format!("{other:?}"),
    }
}

pub(crate) fn resources_of(kind: &str) -> Vec<(&'static str, &'static Value)> {
    template().resources().filter(|(_, r)| r["Type"].as_str() == Some(kind)).collect()
}

#[test]
fn the_bucket_denies_every_request_without_tls() {
    let policies = resources_of("AWS::S3::BucketPolicy");
    let (_, policy) = policies
        .iter()
        .find(|(_, p)| written(&p["Properties"]["Bucket"]) == "!Ref VideoBucket")
        .expect("a bucket policy on VideoBucket");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_sequence().unwrap();
    let deny = statements
        .iter()
        .find(|s| s["Condition"]["Bool"]["aws:SecureTransport"].as_str() == Some("false"))
        .expect("a statement on aws:SecureTransport false");
    assert_eq!(deny["Effect"].as_str(), Some("Deny"));
    assert_eq!(deny["Principal"].as_str(), Some("*"), "whoever asks");
    assert_eq!(deny["Action"].as_str(), Some("s3:*"), "whatever they ask");
    let resources: Vec<String> = deny["Resource"].as_sequence().unwrap().iter().map(written).collect();
    assert!(resources.contains(&"!GetAtt VideoBucket.Arn".to_owned()), "the bucket: {resources:?}");
    assert!(resources.contains(&"!Sub ${VideoBucket.Arn}/*".to_owned()), "its objects: {resources:?}");
}

/// The page is served by CloudFront, whose domain the bucket cannot name: the API's routes
/// name the functions, which name the bucket (infra::dependencies keeps that cycle out).
#[test]
fn a_deployed_buckets_cors_allows_cloudfronts_origins_and_no_local_one_unless_asked() {
    let root = &template().root;
    let default = root["Parameters"]["SiteOrigin"]["Default"].as_str().expect("SiteOrigin has a default");
    assert!(!default.contains("127.0.0.1") && !default.contains("localhost"), "SiteOrigin defaults to {default}");
    let (_, bucket) = resources_of("AWS::S3::Bucket")[0];
    let origins: Vec<String> = bucket["Properties"]["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(written)
        .collect();
    assert!(
        origins.contains(&"!Sub https://*.cloudfront.net".to_owned()),
        "the distribution's origin, which serves the page: {origins:?}"
    );
    assert!(!origins.iter().any(|o| o.contains("${")), "an origin naming a resource of the stack: {origins:?}");
    for origin in &origins {
        assert!(!origin.contains("127.0.0.1") && !origin.contains("localhost"), "a local origin: {origin}");
    }
    // The parameter's origin, only when one is given.
    let rules = template().bucket_cors(&HashMap::new()).unwrap();
    assert!(rules[0].allowed_origins.is_empty(), "by default: {:?}", rules[0].allowed_origins);
    let given = HashMap::from([("SiteOrigin".to_owned(), vec!["https://videos.example".to_owned()])]);
    assert_eq!(template().bucket_cors(&given).unwrap()[0].allowed_origins, ["https://videos.example"]);
}

/// The alarm on `namespace`'s `metric` whose dimension `name` is `value` (as written), with
/// its dimensions.
pub(crate) fn alarm(
    namespace: &str,
    metric: &str,
    (name, value): (&str, &str),
) -> (&'static Value, BTreeMap<String, String>) {
    let dimensions_of = |alarm: &Value| -> BTreeMap<String, String> {
        alarm["Properties"]["Dimensions"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|d| (d["Name"].as_str().unwrap().to_owned(), written(&d["Value"])))
            .collect()
    };
    let alarms = resources_of("AWS::CloudWatch::Alarm");
    let (_, alarm) = alarms
        .iter()
        .find(|(_, a)| {
            a["Properties"]["Namespace"].as_str() == Some(namespace)
                && a["Properties"]["MetricName"].as_str() == Some(metric)
                && dimensions_of(a).get(name).map(String::as_str) == Some(value)
        })
        .unwrap_or_else(|| panic!("no alarm on {namespace} {metric} with {name} {value}"));
    (&alarm["Properties"], dimensions_of(alarm))
}

#[test]
fn alarms_watch_the_sweeps_dead_letter_queue_and_the_apis_5xx_and_notify_a_topic() {
    let root = &template().root;
    let topics = resources_of("AWS::SNS::Topic");
    assert_eq!(topics.len(), 1, "one alarm topic");
    let topic = format!("!Ref {}", topics[0].0);

    // The queue the sweep's schedule sends its failed events to.
    let schedule = &root["Resources"]["SweepFunction"]["Properties"]["Events"]["EveryMinute"]["Properties"];
    let dlq_arn = written(&schedule["DeadLetterConfig"]["Arn"]);
    let queue = dlq_arn.strip_prefix("!GetAtt ").and_then(|a| a.strip_suffix(".Arn")).expect("the DLQ is a queue here");
    assert_eq!(root["Resources"][queue]["Type"].as_str(), Some("AWS::SQS::Queue"));
    let queue_name = format!("!GetAtt {queue}.QueueName");
    let (dlq, dimensions) = alarm("AWS/SQS", "ApproximateNumberOfMessagesVisible", ("QueueName", &queue_name));
    assert_eq!(dimensions.len(), 1, "{dimensions:?}");
    assert_eq!(dlq["Threshold"].as_f64(), Some(1.0), "one message is enough");
    assert_eq!(dlq["ComparisonOperator"].as_str(), Some("GreaterThanOrEqualToThreshold"));

    let (errors, dimensions) = alarm("AWS/ApiGateway", "5xx", ("ApiId", "!Ref HttpApi"));
    assert_eq!(dimensions.len(), 1, "{dimensions:?}");
    assert_eq!(errors["Statistic"].as_str(), Some("Sum"));

    for props in [dlq, errors] {
        let actions: Vec<String> = props["AlarmActions"].as_sequence().unwrap().iter().map(written).collect();
        assert_eq!(actions, std::slice::from_ref(&topic), "the alarm notifies the topic");
        assert_eq!(props["TreatMissingData"].as_str(), Some("notBreaching"), "no traffic is no alarm");
    }
    // Mail only when an address is given.
    let subscriptions = resources_of("AWS::SNS::Subscription");
    assert_eq!(subscriptions.len(), 1);
    let subscription = subscriptions[0].1;
    assert_eq!(written(&subscription["Properties"]["TopicArn"]), topic);
    assert_eq!(written(&subscription["Properties"]["Endpoint"]), "!Ref AlarmEmail");
    assert_eq!(subscription["Condition"].as_str(), Some("HasAlarmEmail"));
    assert_eq!(root["Parameters"]["AlarmEmail"]["Default"].as_str(), Some(""));
}

/// SAM attaches its managed X-Ray policy to each role, outside the statements that iam.rs
/// compares with the code; a function's own `Tracing` would override the global one.
#[test]
fn every_function_is_traced() {
    assert_eq!(template().root["Globals"]["Function"]["Tracing"].as_str(), Some("Active"));
    for (id, function) in resources_of("AWS::Serverless::Function") {
        assert!(function["Properties"]["Tracing"].is_null(), "{id} sets its own Tracing");
    }
}
