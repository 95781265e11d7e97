//! Storage round trips per route, counted by the SDK interceptor. The test
//! fails if a route's count grows; the bench writes the table to BENCHMARKS.md.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use vidlet::domain::transcode::{Hls, HlsRung, JobOutcome, TranscodeState};
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::ports::{ReadyInfo, RenditionRecorder, UploadSettler, VideoCreator};
use vidlet::store::call_counter::CallCounter;

use crate::{fixture, handler, http_client, Handler, Req, TestApp};

/// A route's calls and the minimum its semantics need, with the reason.
pub struct RoundTrips {
    pub route: &'static str,
    pub calls: BTreeMap<String, usize>,
    pub minimum: usize,
    pub why: &'static str,
}

impl RoundTrips {
    pub fn total(&self) -> usize {
        self.calls.values().sum()
    }
}

/// Runs one representative request per main route on a counted app.
pub async fn measure() -> Vec<RoundTrips> {
    // On the heap: the run's state is larger than a test thread's stack in debug builds.
    Box::pin(measure_on_the_heap()).await
}

async fn measure_on_the_heap() -> Vec<RoundTrips> {
    let counter = CallCounter::default();
    let t = TestApp::on(counter.dynamodb_client(), counter.s3_client(), Default::default()).await;
    counter.take(); // the bootstrap's calls
    let mut rows = Vec::new();
    let mut run = |route, minimum, why, calls| rows.push(RoundTrips { route, calls, minimum, why });

    let body = json!({"username": "counted", "password": "password1"});
    let registered = call(&t, handler!(accounts::register), Req::post("/users").json(body.clone())).await;
    let token = registered["session_id"].as_str().unwrap().to_owned();
    run("POST /users", 1, "one transaction: conditional user put + session put + device put", counter.take());

    call(&t, handler!(accounts::login), Req::post("/sessions").json(body.clone())).await;
    run(
        "POST /sessions",
        6,
        "user read; a failure reserved in the name's and the address's buckets (two conditional updates, \
         in parallel) before the password check, both given back after it; one transaction: session + device",
        counter.take(),
    );

    let mut known = body;
    known["device_token"] = registered["device_token"].clone();
    call(&t, handler!(accounts::login), Req::post("/sessions").json(known)).await;
    run(
        "POST /sessions (known device)",
        5,
        "user read, device read; the device's bucket reserved and given back; session put",
        counter.take(),
    );

    call(&t, handler!(accounts::me), Req::get("/me").bearer(&token)).await;
    run("GET /me", 1, "one consistent BatchGetItem: the session and its user", counter.take());

    let clip = fixture("clip.mp4");
    let create = json!({"name": "counted", "content_type": "video/mp4", "size": clip.len()});
    let created = call(&t, handler!(videos::create_video), Req::post("/videos").bearer(&token).json(create)).await;
    run(
        "POST /videos",
        3,
        "session read, CreateMultipartUpload, one transaction: quota reservation + video put",
        counter.take(),
    );
    let id = created["video"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["upload"]["part_count"], 1);

    let ask = Req::post("/").param("id", &id).bearer(&token).json(json!({"part_numbers": [1]}));
    let parts = call(&t, handler!(uploads::upload_parts), ask).await;
    run("POST /videos/{id}/upload/parts", 2, "session read, video read (presigning sends nothing)", counter.take());
    let part = &parts["parts"][0];
    let put = http_client().put(part["url"].as_str().unwrap()).body(clip);
    assert_eq!(put.send().await.unwrap().status().as_u16(), 200);
    counter.take();

    let progress = call(&t, handler!(uploads::get_upload), Req::get("/").param("id", &id).bearer(&token)).await;
    assert_eq!(progress["parts"].as_array().map(Vec::len), Some(1));
    run("GET /videos/{id}/upload", 3, "session read, video read, ListParts", counter.take());

    call(&t, handler!(videos::complete_video), Req::post("/").param("id", &id).bearer(&token)).await;
    run(
        "POST /videos/{id}/complete",
        8,
        "session read, video read, a conditional claim (two completes never join the parts twice), ListParts, \
         CompleteMultipartUpload, one ranged GET of the header (no HEAD: the parts give the size), conditional update, \
         the search terms of its name (one BatchWriteItem: a name of up to 25 prefixes)",
        counter.take(),
    );

    let jpeg = fixture("poster.jpg");
    let ask =
        Req::post("/").param("id", &id).bearer(&token).json(json!({"content_type": "image/jpeg", "size": jpeg.len()}));
    let asked = call(&t, handler!(videos::create_poster), ask).await;
    run(
        "POST /videos/{id}/poster",
        2,
        "session read, one transaction: the pending upload on the video + its deletion record (swept unless confirmed)",
        counter.take(),
    );
    let mut put = http_client().put(asked["upload"]["url"].as_str().unwrap()).body(jpeg);
    for (name, value) in asked["upload"]["headers"].as_object().unwrap() {
        if !name.eq_ignore_ascii_case("content-length") {
            put = put.header(name, value.as_str().unwrap());
        }
    }
    assert_eq!(put.send().await.unwrap().status().as_u16(), 200);
    counter.take();

    call(&t, handler!(videos::complete_poster), Req::post("/").param("id", &id).bearer(&token)).await;
    run(
        "POST /videos/{id}/poster/complete",
        4,
        "session read, video read (the pending upload, the poster it replaces), HeadObject (there, its size and type), \
         one transaction: poster swapped in + the upload's record cancelled (+ the replaced poster queued)",
        counter.take(),
    );

    call(&t, handler!(videos::get_video), Req::get("/").param("id", &id)).await;
    run(
        "GET /videos/{id}",
        1,
        "video read, a BatchGetItem of one key (anonymous: no like to read; presigning the stream_url sends nothing)",
        counter.take(),
    );

    call(&t, handler!(videos::list_videos), Req::get("/videos")).await;
    run("GET /videos", 1, "one Query on the feed index", counter.take());

    let found = call(&t, handler!(videos::search_videos), Req::get("/search").query("q", "COUNT")).await;
    assert_eq!(found["videos"].as_array().map(Vec::len), Some(1));
    run(
        "GET /search",
        2,
        "one Query of the longest word's term (the other words filtered in it), one BatchGetItem of the hits as \
         they now are",
        counter.take(),
    );

    let list = Req::get("/").param("username", "counted");
    call(&t, handler!(videos::list_user_videos), list).await;
    run("GET /users/{username}/videos", 1, "one Query on an owner index (anonymous)", counter.take());

    let stream = t.call(handler!(videos::stream_video), Req::get("/").param("id", &id).build()).await;
    assert_eq!(stream.status.as_u16(), 302);
    run(
        "GET /videos/{id}/stream",
        1,
        "video read (visibility; presigning sends nothing, counts no view)",
        counter.take(),
    );

    let report = t.call(handler!(videos::count_view), Req::post("/").param("id", &id).build()).await;
    report.assert_status(204);
    run(
        "POST /videos/{id}/views",
        1,
        "one transaction: the viewer's conditional mark put + ADD views under the visibility condition (anonymous)",
        counter.take(),
    );

    let signed_in = Req::post("/").param("id", &id).bearer(&token);
    t.call(handler!(videos::count_view), signed_in.build()).await.assert_status(204);
    run(
        "POST /videos/{id}/views (signed in)",
        2,
        "session read (who the viewer is: the user, not the address), then the same one transaction",
        counter.take(),
    );

    let like = Req::new("PUT", "/").param("id", &id).bearer(&token);
    t.call(handler!(videos::like_video), like.build()).await.assert_status(204);
    run(
        "PUT /videos/{id}/like",
        2,
        "session read, one transaction: conditional like put + ADD likes 1 under the visibility condition",
        counter.take(),
    );

    let watched = call(&t, handler!(videos::get_video), Req::get("/").param("id", &id).bearer(&token)).await;
    assert_eq!(watched["liked_by_me"], true);
    run(
        "GET /videos/{id} (signed in)",
        2,
        "session read, one consistent BatchGetItem: the video and the caller's like (liked_by_me)",
        counter.take(),
    );

    let unlike = Req::delete("/").param("id", &id).bearer(&token);
    t.call(handler!(videos::unlike_video), unlike.build()).await.assert_status(204);
    run(
        "DELETE /videos/{id}/like",
        2,
        "session read, one transaction: conditional like delete + ADD likes -1 under the visibility condition",
        counter.take(),
    );

    let comment = Req::post("/").param("id", &id).bearer(&token).json(json!({"content": "counted"}));
    let posted = call(&t, handler!(comments::create_comment), comment).await;
    run(
        "POST /videos/{id}/comments",
        2,
        "session read, one transaction: visibility check + comment put",
        counter.take(),
    );

    call(&t, handler!(comments::list_comments), Req::get("/").param("id", &id)).await;
    run("GET /videos/{id}/comments", 2, "video read (visibility), one Query", counter.take());

    let comment_id = posted["comment"]["id"].as_str().unwrap().to_owned();
    let delete_comment = Req::delete("/").param("id", &id).param("comment_id", &comment_id).bearer(&token);
    t.call(handler!(comments::delete_comment), delete_comment.build()).await.assert_status(204);
    run("DELETE /videos/{id}/comments/{comment_id}", 2, "session read, conditional delete (author)", counter.take());

    let patch =
        Req::new("PATCH", "/").param("id", &id).bearer(&token).json(json!({"name": "renamed", "privacy": "public"}));
    call(&t, handler!(videos::update_video), patch).await;
    run(
        "PATCH /videos/{id}",
        3,
        "session read, one conditional UpdateItem: the fields and the feed/owner-list keys together (a refusal \
         returns the item, so 403, 404 and 409 cost no read), one BatchWriteItem: the new name's search terms put, \
         the old one's deleted (up to 25 of them)",
        counter.take(),
    );

    t.call(handler!(videos::delete_video), Req::delete("/").param("id", &id).bearer(&token).build())
        .await
        .assert_status(204);
    run(
        "DELETE /videos/{id}",
        4,
        "session read, video read (the size the quota gets back), one transaction: delete + deletion record + refund, \
         one BatchWriteItem: its search terms deleted",
        counter.take(),
    );

    for row in site_rows(&t, &counter, &id).await {
        run(row.route, row.minimum, row.why, row.calls);
    }
    // Boxed: one more section on this future's stack overflows a debug build's test thread.
    for row in Box::pin(following(&t, &counter, &token)).await {
        run(row.route, row.minimum, row.why, row.calls);
    }

    for row in Box::pin(playback(&t, &counter, &token)).await {
        run(row.route, row.minimum, row.why, row.calls);
    }

    t.call(handler!(accounts::logout), Req::delete("/sessions/current").bearer(&token).build())
        .await
        .assert_status(204);
    run("DELETE /sessions/current", 2, "session read, session delete", counter.take());
    rows
}

/// The web function: the page and its files read nothing, a share card one item.
async fn site_rows(t: &TestApp, counter: &CallCounter, video_id: &str) -> Vec<RoundTrips> {
    let row = |route, minimum, why| RoundTrips { route, calls: counter.take(), minimum, why };
    t.call(handler!(web::site), Req::get("/").build()).await.assert_status(200);
    t.call(handler!(web::site), Req::get("/assets/app.js").param("file", "app.js").build()).await.assert_status(200);
    let page = row("GET / and GET /assets/{file}", 0, "the page and its files are embedded in the function");
    t.call(handler!(web::site), Req::get("/v/_").param("id", video_id).build()).await.assert_status(200);
    let video = row("GET /v/{id}", 1, "the video read for its share card (a deleted one: the site's card)");
    t.call(handler!(web::site), Req::get("/u/_").param("username", "counted").build()).await.assert_status(200);
    let user = row("GET /u/{username}", 1, "the user read for their share card");
    vec![page, video, user]
}

/// Following: follow, list, the feed of 3 creators (1 + N), unfollow.
async fn following(t: &TestApp, counter: &CallCounter, token: &str) -> Vec<RoundTrips> {
    let token = token.to_owned();
    let mut rows = Vec::new();
    let mut run = |route, minimum, why, calls| rows.push(RoundTrips { route, calls, minimum, why });
    let creators = ["creator0", "creator1", "creator2"];
    for name in creators {
        call(
            t,
            handler!(accounts::register),
            Req::post("/users").json(json!({"username": name, "password": "password1"})),
        )
        .await;
    }
    counter.take();
    for name in creators {
        counter.take();
        let follow = Req::new("PUT", "/").param("username", name).bearer(&token);
        t.call(handler!(follows::follow_user), follow.build()).await.assert_status(204);
    }
    run(
        "PUT /users/{username}/follow",
        2,
        "session read, one transaction: the follower's count + 1 under the cap, a check that the followee is live, \
         conditional follow put",
        counter.take(),
    );

    call(t, handler!(follows::list_following), Req::get("/").bearer(&token)).await;
    run("GET /me/following", 2, "session read, one Query of the caller's follows", counter.take());

    call(t, handler!(follows::following_feed), Req::get("/").bearer(&token)).await;
    run(
        "GET /feed/following (3 creators)",
        2 + creators.len(),
        "session read, one Query of the follow list, then one Query per followed creator on public_by_owner \
         (1 + N for N creators, in parallel)",
        counter.take(),
    );

    let unfollow = Req::delete("/").param("username", "creator0").bearer(&token);
    t.call(handler!(follows::unfollow_user), unfollow.build()).await.assert_status(204);
    run(
        "DELETE /users/{username}/follow",
        2,
        "session read, one transaction: conditional follow delete + the follower's count - 1 + followee check",
        counter.take(),
    );

    rows
}

/// Delivery of a ladder (seeded uncounted): what to play, and the playlists.
async fn playback(t: &TestApp, counter: &CallCounter, token: &str) -> Vec<RoundTrips> {
    let mut rows = Vec::new();
    let mut run = |route, minimum, why, calls| rows.push(RoundTrips { route, calls, minimum, why });
    let video = Video::example("counted", VideoStatus::Pending, Privacy::Public);
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    let info = ReadyInfo { transcode: Some(TranscodeState::submitting(0)), ..ReadyInfo::default() };
    t.db.mark_ready(&video, &info).await.unwrap().expect("was pending");
    let rung = HlsRung { width: 640, height: 360, playlist: "master_360p.m3u8".into() };
    t.db.record(&video.id, "counted-job", &JobOutcome::Complete(Hls { rungs: vec![rung] })).await.unwrap();
    let master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=928000\nmaster_360p.m3u8\n";
    let media =
        "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nmaster_360p_00001.ts\n#EXTINF:6,\nmaster_360p_00002.ts\n";
    for (file, text) in [("master.m3u8", master), ("master_360p.m3u8", media)] {
        let put = t.s3.put_object().bucket(&t.config.bucket).key(format!("hls/{}/{file}", video.id));
        put.body(text.as_bytes().to_vec().into()).send().await.unwrap();
    }
    counter.take();

    let id = video.id.as_str();
    let source = call(t, handler!(videos::get_playback), Req::get("/").param("id", id)).await;
    assert_eq!(source["kind"], "hls");
    run(
        "GET /videos/{id}/playback",
        1,
        "video read (visibility and its ladder; signing cookies and presigning send nothing)",
        counter.take(),
    );
    call(t, handler!(videos::get_playback), Req::get("/").param("id", id).bearer(token)).await;
    run("GET /videos/{id}/playback (signed in)", 2, "session read, video read", counter.take());
    for (route, file) in [
        ("GET /videos/{id}/hls/{file} (master)", "master.m3u8"),
        ("GET /videos/{id}/hls/{file} (rung)", "master_360p.m3u8"),
    ] {
        let served =
            t.call(handler!(videos::get_playlist), Req::get("/").param("id", id).param("file", file).build()).await;
        assert_eq!(served.status.as_u16(), 200, "{file}");
        run(route, 2, "video read (visibility and its ladder), one GetObject of the playlist (presigning its segments sends nothing)", counter.take());
    }
    rows
}

async fn call(t: &TestApp, h: Handler, req: Req) -> Value {
    let res = t.call(h, req.build()).await;
    assert!(res.status.is_success(), "{}: {}", res.status, res.body);
    res.body
}
