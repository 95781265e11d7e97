//! A poster counts only once its upload is confirmed: handing out the URL
//! changes nothing that is served; `POST /videos/{id}/poster/complete` checks
//! the object and swaps it in, queueing the poster it replaces.

use std::time::Duration;

use serde_json::Value;
use vidlet::domain::now_epoch;
use vidlet::domain::video::{DeletionRecord, Privacy, Video, VideoStatus};
use vidlet::ports::*;
use vidlet::store::s3::POSTERS;
use vidlet_tests::{fixture, handler, http_client, json, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::comments_and_sweep::seed_ready_video;
use crate::videos::{put_upload, upload};

const LONG_ENOUGH: Duration = Duration::from_secs(60);

fn ask_req(id: &str, token: &str, content_type: &str, size: usize) -> lambda_http::Request {
    Req::post("/").param("id", id).bearer(token).json(json!({"content_type": content_type, "size": size})).build()
}

/// `POST /videos/{id}/poster`.
async fn ask(t: &TestApp, id: &str, token: &str, content_type: &str, size: usize) -> TestResponse {
    t.call(handler!(videos::create_poster), ask_req(id, token, content_type, size)).await
}

/// `POST /videos/{id}/poster/complete`.
async fn confirm(t: &TestApp, id: &str, token: &str) -> TestResponse {
    t.call(handler!(videos::complete_poster), Req::post("/").param("id", id).bearer(token).build()).await
}

async fn has_poster(t: &TestApp, id: &str, token: &str) -> bool {
    let get = Req::get("/").param("id", id).bearer(token).build();
    let video = t.call(handler!(videos::get_video), get).await;
    video.assert_status(200)["has_poster"].as_bool().unwrap()
}

/// The bytes `GET /videos/{id}/poster` serves, or its status when it redirects nowhere.
async fn served(t: &TestApp, id: &str) -> Result<Vec<u8>, u16> {
    let redirect = t.call(handler!(videos::get_poster), Req::get("/").param("id", id).build()).await;
    if redirect.status.as_u16() != 302 {
        return Err(redirect.status.as_u16());
    }
    let image = http_client().get(redirect.headers["location"].to_str().unwrap()).send().await.unwrap();
    Ok(image.bytes().await.unwrap().to_vec())
}

/// The key a presigned poster PUT writes.
fn key_of(upload: &Value) -> String {
    let url = upload["url"].as_str().unwrap();
    let path = url.split('?').next().unwrap();
    path[path.find("/posters/").unwrap() + 1..].to_owned()
}

#[tokio::test]
async fn a_poster_is_served_only_once_its_upload_is_confirmed() {
    let t = TestApp::new().await;
    let token = register(&t, "framer", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let jpeg = fixture("poster.jpg");

    // The URL handed out changes nothing that is served, nor does the PUT.
    let first = ask(&t, &id, &token, "image/jpeg", jpeg.len()).await.assert_status(201)["upload"].clone();
    assert!(!has_poster(&t, &id, &token).await, "has_poster before anything was uploaded");
    assert_eq!(served(&t, &id).await, Err(404));
    confirm(&t, &id, &token).await.assert_error(422, "010");
    assert_eq!(put_upload(&first, jpeg.clone()).await, 200);
    assert!(!has_poster(&t, &id, &token).await, "has_poster before the upload was confirmed");
    assert_eq!(served(&t, &id).await, Err(404));

    // Confirmed: served, and its upload's record is cancelled.
    let confirmed = confirm(&t, &id, &token).await;
    assert_eq!(confirmed.assert_status(200)["video"]["has_poster"], true);
    assert_eq!(served(&t, &id).await, Ok(jpeg.clone()));
    assert!(t.db.queued(10, None).await.unwrap().is_empty(), "a confirmed upload is not swept");
    confirm(&t, &id, &token).await.assert_error(409, "006");

    // A second poster: the first is served until the second is confirmed.
    let mut other = jpeg.clone();
    other[100] ^= 0xff;
    let second = ask(&t, &id, &token, "image/jpeg", other.len()).await.assert_status(201)["upload"].clone();
    assert_eq!(put_upload(&second, other.clone()).await, 200);
    assert_eq!(served(&t, &id).await, Ok(jpeg.clone()));
    confirm(&t, &id, &token).await.assert_status(200);
    assert_eq!(served(&t, &id).await, Ok(other.clone()));
    // The first is queued, and the sweep deletes it (and only it).
    let queued = t.db.queued(10, None).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].reason.as_str(), &queued[0].object_keys), ("poster_replaced", &vec![key_of(&first)]));
    let summary = t.sweep().run_as_of(now_epoch() + 2 * 3600, LONG_ENOUGH).await.unwrap();
    assert_eq!((summary.records_processed, summary.errors), (1, 0));
    let posters = t.bucket.scoped(POSTERS);
    assert!(posters.stat(&key_of(&first)).await.unwrap().is_none());
    assert!(posters.stat(&key_of(&second)).await.unwrap().is_some());
    assert_eq!(served(&t, &id).await, Ok(other));
}

#[tokio::test]
async fn an_upload_never_confirmed_is_swept_and_never_served() {
    let t = TestApp::new().await;
    let token = register(&t, "dropout", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let jpeg = fixture("poster.jpg");
    let first = ask(&t, &id, &token, "image/jpeg", jpeg.len()).await.assert_status(201)["upload"].clone();
    assert_eq!(put_upload(&first, jpeg.clone()).await, 200);
    // Asked again: the new upload replaces the pending one.
    let second = ask(&t, &id, &token, "image/jpeg", jpeg.len()).await.assert_status(201).clone();
    let complete_by = second["complete_by"].as_str().unwrap().to_owned();
    assert_eq!(put_upload(&second["upload"], jpeg.clone()).await, 200);

    // Not before the confirmation window has closed...
    let early = t.sweep().run_as_of(now_epoch() + 1800, LONG_ENOUGH).await.unwrap();
    assert_eq!((early.records_processed, early.records_not_due), (0, 2));
    // ...and after it, both objects go; the video never showed a poster.
    let late = t.sweep().run_as_of(now_epoch() + 3 * 3600, LONG_ENOUGH).await.unwrap();
    assert_eq!((late.records_processed, late.errors), (2, 0), "{late:?}");
    let posters = t.bucket.scoped(POSTERS);
    for upload in [&first, &second["upload"]] {
        assert!(posters.stat(&key_of(upload)).await.unwrap().is_none());
    }
    assert!(!has_poster(&t, &id, &token).await);
    assert!(complete_by.ends_with('Z'), "{complete_by}");
}

#[tokio::test]
async fn only_an_uploaded_image_of_the_announced_type_and_size_is_confirmed() {
    let t = TestApp::new().await;
    let token = register(&t, "forger", "password1").await;
    let id = seed_ready_video(&t, "forger", Privacy::Public).await;
    let asked = ask(&t, &id, &token, "image/png", 10).await.assert_status(201)["upload"].clone();
    let key = key_of(&asked);
    let put = |body: Vec<u8>, content_type: &str| {
        t.s3.put_object().bucket(&t.config.bucket).key(&key).content_type(content_type).body(body.into()).send()
    };
    // Written around the presigned URL: another type, then too big.
    put(vec![1u8; 10], "text/html").await.unwrap();
    confirm(&t, &id, &token).await.assert_error(422, "010");
    put(vec![1u8; 3 * 1024 * 1024], "image/png").await.unwrap();
    confirm(&t, &id, &token).await.assert_error(422, "010");
    assert!(!has_poster(&t, &id, &token).await);
    put(vec![1u8; 10], "image/png").await.unwrap();
    confirm(&t, &id, &token).await.assert_status(200);
    assert!(has_poster(&t, &id, &token).await);
}

#[tokio::test]
async fn only_the_owner_of_a_pending_or_ready_video_gets_a_poster() {
    let t = TestApp::new().await;
    let owner = register(&t, "holder", "password1").await;
    let stranger = register(&t, "meddler", "password1").await;
    let public = seed_ready_video(&t, "holder", Privacy::Public).await;
    let private = seed_ready_video(&t, "holder", Privacy::Private).await;
    ask(&t, &public, &stranger, "image/png", 10).await.assert_error(403, "007");
    ask(&t, &private, &stranger, "image/png", 10).await.assert_error(404, "005");
    confirm(&t, &public, &stranger).await.assert_error(403, "007");
    confirm(&t, &private, &stranger).await.assert_error(404, "005");
    confirm(&t, &public, &owner).await.assert_error(409, "006");

    // A rejected video gets none, even one asked for while it was pending.
    let video = Video::example("holder", VideoStatus::Pending, Privacy::Public);
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    let asked = ask(&t, &video.id, &owner, "image/png", 10).await.assert_status(201)["upload"].clone();
    assert_eq!(put_upload(&asked, vec![1u8; 10]).await, 200);
    let record = DeletionRecord::for_video(&video.id, "rejected", now_epoch(), 900);
    assert!(t.db.reject_video(&video, &record).await.unwrap());
    confirm(&t, &video.id, &owner).await.assert_error(409, "006");
    ask(&t, &video.id, &owner, "image/png", 10).await.assert_error(409, "006");
    assert!(!has_poster(&t, &video.id, &owner).await);
}

/// A server that answers every request with `status` and no body, as S3
/// answers a HEAD of a missing key without s3:ListBucket (403).
async fn answering(status: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let _ = socket.read(&mut buf).await;
            let reply = format!("HTTP/1.1 {status} Status\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_head_answered_403_reads_as_no_object_and_a_500_as_unavailable() {
    let config = vidlet::config::Config { bucket: "b".into(), ..Default::default() };
    for (status, missing) in [(403, true), (404, true), (500, false)] {
        let s3 =
            vidlet::store::client::s3_config().endpoint_url(answering(status).await).force_path_style(true).build();
        let bucket = vidlet::store::s3::Bucket::new(aws_sdk_s3::Client::from_conf(s3), &config);
        let stat = bucket.scoped(POSTERS).stat("posters/x/y").await;
        match stat {
            Ok(None) => assert!(missing, "{status} read as no object"),
            Err(err) => assert!(!missing && err.status().as_u16() == 503, "{status}: {err:?}"),
            Ok(Some(head)) => panic!("{status} read as an object: {head:?}"),
        }
    }
}
