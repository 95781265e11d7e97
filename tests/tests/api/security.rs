//! Security properties, checked against what is really stored and signed.

use aws_sdk_dynamodb::types::AttributeValue;
use vidlet::config::Table;
use vidlet::ports::VideoReader;
use vidlet_tests::{handler, json, Req, TestApp};

use crate::accounts::register;
use crate::videos::{create, part_urls, upload};

/// Every string anywhere in a table (a full Scan: fine in a test).
async fn all_strings(t: &TestApp, table: Table) -> Vec<(String, String)> {
    let name = t.config.table_name(table);
    let out = t.dynamodb.scan().table_name(name).send().await.unwrap();
    let mut strings = Vec::new();
    for item in out.items.unwrap_or_default() {
        for (attribute, value) in item {
            if let AttributeValue::S(s) = value {
                strings.push((attribute, s));
            }
        }
    }
    strings
}

#[tokio::test]
async fn passwords_are_argon2id_and_session_ids_appear_nowhere_at_rest() {
    let t = TestApp::new().await;
    let password = "hunter2-but-longer";
    let first = register(&t, "stored", password).await;
    let login = Req::post("/sessions").json(json!({"username": "stored", "password": password})).build();
    let second = t.call(handler!(accounts::login), login).await.body["session_id"].as_str().unwrap().to_owned();
    let wrong = Req::post("/sessions").json(json!({"username": "stored", "password": "wrong-password"})).build();
    t.call(handler!(accounts::login), wrong).await.assert_error(401, "002");

    let users = all_strings(&t, Table::Users).await;
    let hash = &users.iter().find(|(a, _)| a == "password_hash").unwrap().1;
    assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
    let mut everything = users.clone();
    for table in [Table::Sessions, Table::LoginAttempts] {
        everything.extend(all_strings(&t, table).await);
    }
    assert!(everything.iter().filter(|(a, _)| a == "session_hash").count() >= 2);
    for (attribute, value) in &everything {
        for secret in [first.as_str(), second.as_str(), password] {
            assert!(!value.contains(secret), "{attribute} holds a secret");
        }
    }
}

fn query_value(url: &str, name: &str) -> Option<String> {
    url.split_once('?')?.1.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

#[tokio::test]
async fn presigned_urls_are_short_lived_and_bound_to_one_part_or_poster() {
    let t = TestApp::new().await;
    let token = register(&t, "signer", "password1").await;
    let created = create(&t, &token, json!({"name": "n", "content_type": "video/webm", "size": 1234})).await;
    let id = created["video"]["id"].as_str().unwrap();
    let upload_id = t.db.get_video(id).await.unwrap().unwrap().upload_id.unwrap();
    let part = &part_urls(&t, &token, id, &[1]).await[0];
    let url = part["url"].as_str().unwrap();
    let expires: u64 = query_value(url, "X-Amz-Expires").unwrap().parse().unwrap();
    assert!(expires <= 900, "part URL lives {expires} s");
    let signed = query_value(url, "X-Amz-SignedHeaders").unwrap();
    for header in ["content-length", "host"] {
        assert!(signed.contains(header), "{header} is not signed: {signed}");
    }
    assert!(url.contains(&format!("/videos/{id}?")), "{url}");
    assert_eq!(query_value(url, "partNumber").as_deref(), Some("1"));
    assert_eq!(query_value(url, "uploadId").map(|v| v.replace("%3D", "=")).as_deref(), Some(upload_id.as_str()));
    assert_eq!(part["headers"]["Content-Length"], "1234");

    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let stream = t.call(handler!(videos::stream_video), Req::get("/").param("id", &id).build()).await;
    let location = stream.headers["location"].to_str().unwrap();
    let expires: u64 = query_value(location, "X-Amz-Expires").unwrap().parse().unwrap();
    assert!(expires <= 3600, "stream URL lives {expires} s");

    // A poster URL: a fresh key under the video's prefix, its type and length signed, and If-None-Match.
    let poster = Req::post("/").param("id", &id).bearer(&token).json(json!({"content_type": "image/png", "size": 10}));
    let res = t.call(handler!(videos::create_poster), poster.build()).await;
    let upload = &res.assert_status(201)["upload"];
    let url = upload["url"].as_str().unwrap();
    let expires: u64 = query_value(url, "X-Amz-Expires").unwrap().parse().unwrap();
    assert!(expires <= 900, "poster URL lives {expires} s");
    let signed = query_value(url, "X-Amz-SignedHeaders").unwrap();
    for header in ["content-length", "content-type", "if-none-match", "host"] {
        assert!(signed.contains(header), "{header} is not signed: {signed}");
    }
    assert!(url.contains(&format!("/posters/{id}/")), "{url}");
    assert_eq!(upload["headers"]["If-None-Match"], "*");
}
