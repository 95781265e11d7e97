//! Storage faults: with DynamoDB Local stopped, requests get a quick 503 (003);
//! after a restart, everything acknowledged before is still there.

use std::time::{Duration, Instant};

use vidlet::config::Config;
use vidlet::handlers::accounts;
use vidlet_tests::{handler, json, PrivateDynamoDb, Req, TestApp};

/// Generous bound: the point is "no hang", not a performance figure.
const NO_HANG: Duration = Duration::from_secs(30);

#[tokio::test]
async fn dynamodb_down_gives_503_and_nothing_is_lost() {
    let db = PrivateDynamoDb::start();
    let aws = vidlet::store::load_aws_config().await;
    let t = TestApp::on(db.client().await, vidlet::store::s3_client(&aws), Config::default()).await;

    let token = crate::accounts::register(&t, "outage", "password1").await;

    db.stop();
    let during = [
        Req::post("/users").json(json!({"username": "late", "password": "password1"})).build(),
        Req::post("/sessions").json(json!({"username": "outage", "password": "password1"})).build(),
    ];
    for (req, h) in during.into_iter().zip([handler!(accounts::register), handler!(accounts::login)]) {
        let started = Instant::now();
        t.call(h, req).await.assert_error(503, "003");
        assert!(started.elapsed() < NO_HANG, "took {:?}", started.elapsed());
    }
    let started = Instant::now();
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_error(503, "003");
    assert!(started.elapsed() < NO_HANG);

    db.restart();
    // The session written before the outage survived, and nothing half-written appeared.
    let me = t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await;
    assert_eq!(me.assert_status(200)["username"], "outage");
    let late = t.call(handler!(accounts::get_user), Req::get("/users/late").param("username", "late").build()).await;
    late.assert_error(404, "005");
}
