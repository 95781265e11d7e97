//! Publish first, transcode when needed, end to end: the real handlers, the
//! ffmpeg transcoder writing to LocalStack S3, and its events recorded by
//! `transcode-events`' handler on DynamoDB Local. What is checked is the
//! contract (states, who sees what, the playlists, each rendition's codec,
//! size and colour), not ffmpeg's bytes.

use std::time::{Duration, Instant};

use m3u8_rs::{MasterPlaylist, MediaPlaylist};
use serde_json::Value;
use vidlet::config::Config;
use vidlet::domain::playback::TranscodeMode;
use vidlet_tests::media::{h264_mp4, hevc_mov, hlg_mov, probe_video, turned_upright, uhd_mp4, undecodable};
use vidlet_tests::{handler, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::{ids, upload_bytes};

/// Long enough for the jobs of every test here, which share one ffmpeg at a time.
const SETTLE_WITHIN: Duration = Duration::from_secs(120);

async fn watch(t: &TestApp, token: Option<&str>, id: &str) -> TestResponse {
    let mut req = Req::get(&format!("/videos/{id}")).param("id", id);
    if let Some(token) = token {
        req = req.bearer(token);
    }
    t.call(handler!(videos::get_video), req.build()).await
}

/// The video as its owner sees it once its job has ended.
async fn settled(t: &TestApp, owner: &str, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let video = watch(t, Some(owner), id).await.assert_status(200).clone();
        if matches!(video["transcode"]["state"].as_str(), Some("complete" | "error")) {
            return video;
        }
        assert!(started.elapsed() < SETTLE_WITHIN, "the job did not end in time: {video}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn feed(t: &TestApp) -> Vec<String> {
    ids(t.call(handler!(videos::list_videos), Req::get("/videos").build()).await.assert_status(200), "videos")
}

async fn search(t: &TestApp, q: &str) -> Vec<String> {
    let res = t.call(handler!(videos::search_videos), Req::get("/search").query("q", q).build()).await;
    ids(res.assert_status(200), "videos")
}

/// An object of the test's bucket: its content type and bytes.
async fn object(t: &TestApp, key: &str) -> (String, Vec<u8>) {
    let out = t.s3.get_object().bucket(&t.config.bucket).key(key).send().await;
    let out = out.unwrap_or_else(|e| panic!("GetObject {key}: {e:?}"));
    let content_type = out.content_type().unwrap_or_default().to_owned();
    (content_type, out.body.collect().await.unwrap().into_bytes().to_vec())
}

/// Checks the stored ladder of `id` against `sizes` (width, height, highest
/// first): the master lists exactly those rungs, and each rung's first
/// segment is H.264 High, 8-bit 4:2:0, SDR, at its size. The master playlist.
async fn check_ladder(t: &TestApp, id: &str, sizes: &[(u64, u64)]) -> MasterPlaylist {
    let (content_type, text) = object(t, &format!("hls/{id}/master.m3u8")).await;
    assert_eq!(content_type, "application/vnd.apple.mpegurl");
    let master = m3u8_rs::parse_master_playlist_res(&text).expect("a multivariant playlist");
    let listed: Vec<(u64, u64)> =
        master.variants.iter().map(|v| v.resolution.map(|r| (r.width, r.height)).unwrap()).collect();
    assert_eq!(listed, sizes);
    for variant in &master.variants {
        let size = variant.resolution.unwrap();
        // Rungs are named by their short side: a portrait 720p is 720 wide.
        let (rung, height) = (size.width.min(size.height), size.height);
        assert_eq!(variant.uri, format!("master_{rung}p.m3u8"));
        let codecs = variant.codecs.as_deref().unwrap();
        assert!(codecs.starts_with("avc1.64") && codecs.ends_with(",mp4a.40.2"), "{codecs}");
        let (content_type, text) = object(t, &format!("hls/{id}/{}", variant.uri)).await;
        assert_eq!(content_type, "application/vnd.apple.mpegurl");
        let media: MediaPlaylist = m3u8_rs::parse_media_playlist_res(&text).expect("a media playlist");
        assert!(media.end_list, "a VOD playlist ends");
        assert_eq!(media.segments[0].uri, format!("master_{rung}p_00001.ts"));
        let (content_type, segment) = object(t, &format!("hls/{id}/{}", media.segments[0].uri)).await;
        assert_eq!(content_type, "video/mp2t");
        let probed = probe_video(&segment, "codec_name,profile,pix_fmt,width,height,color_transfer");
        assert_eq!(probed["codec_name"], "h264", "{probed:?}");
        assert_eq!(probed["profile"], "High", "{probed:?}");
        assert_eq!(probed["pix_fmt"], "yuv420p", "{probed:?}");
        assert_eq!(probed["height"], height.to_string(), "{probed:?}");
        let sdr = ["bt709", "unknown"].contains(&probed["color_transfer"].as_str());
        assert!(sdr, "not SDR BT.709: {probed:?}");
    }
    master
}

async fn keys_under(t: &TestApp, prefix: &str) -> Vec<String> {
    let out = t.s3.list_objects_v2().bucket(&t.config.bucket).prefix(prefix).send().await.unwrap();
    out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_playable_mp4_is_ready_at_once_without_a_ladder() {
    let t = TestApp::transcoding(Config::default()).await;
    let owner = register(&t, "owner", "password1").await;
    let video = upload_bytes(&t, &owner, "plain", h264_mp4(), "video/mp4", "public").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!(video["status"], "ready");
    assert_eq!(video["hls"], false);
    assert_eq!(video["media"]["video_codec"], "h264");
    let seen = watch(&t, Some(&owner), id).await.assert_status(200).clone();
    assert!(seen.get("transcode").is_none(), "no job: {seen}");
    assert_eq!(feed(&t).await, [id]);
    assert!(keys_under(&t, "hls/").await.is_empty());
}

#[tokio::test]
async fn an_hevc_mov_is_processing_and_hidden_until_its_ladder_is_stored() {
    let t = TestApp::transcoding(Config::default()).await;
    let owner = register(&t, "owner", "password1").await;
    let stranger = register(&t, "stranger", "password1").await;
    let video = upload_bytes(&t, &owner, "harbour sunrise", hevc_mov(), "video/quicktime", "public").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!(video["status"], "processing");
    assert_eq!(video["media"]["video_codec"], "hevc");
    watch(&t, Some(&stranger), id).await.assert_error(404, "005");
    watch(&t, None, id).await.assert_error(404, "005");
    assert!(feed(&t).await.is_empty());
    assert!(search(&t, "harbour").await.is_empty());

    let done = settled(&t, &owner, id).await;
    assert_eq!((done["status"].as_str(), done["hls"].as_bool()), (Some("ready"), Some(true)), "{done}");
    assert_eq!(done["transcode"]["state"], "complete");
    watch(&t, Some(&stranger), id).await.assert_status(200);
    assert_eq!(feed(&t).await, [id]);
    assert_eq!(search(&t, "harbour").await, [id]);
    let master = check_ladder(&t, id, &[(1280, 720), (960, 540), (640, 360)]).await;
    let bandwidths: Vec<u64> = master.variants.iter().map(|v| v.bandwidth).collect();
    assert_eq!(bandwidths, [3_128_000, 2_128_000, 928_000]);
    assert!(master.variants.iter().all(|v| v.frame_rate == Some(10.0)), "{master:?}");

    // Deleted, then swept: its renditions go with its original.
    let prefix = format!("hls/{id}/");
    assert!(keys_under(&t, &prefix).await.len() >= 7, "a master, 3 playlists and their segments");
    let delete = Req::delete("/").param("id", id).bearer(&owner).build();
    t.call(handler!(videos::delete_video), delete).await.assert_status(204);
    let later = vidlet::domain::now_epoch() + t.config.upload_url_ttl_secs as i64 + 1;
    let swept = t.sweep().run_as_of(later, Duration::from_secs(30)).await.unwrap();
    assert!(swept.finished, "{swept:?}");
    assert_eq!(keys_under(&t, &prefix).await, Vec::<String>::new(), "nothing of the ladder is left");
}

#[tokio::test]
async fn a_phone_video_held_upright_gets_upright_rungs() {
    let t = TestApp::transcoding(Config::default()).await;
    let owner = register(&t, "owner", "password1").await;
    let upright = turned_upright(hevc_mov());
    let video = upload_bytes(&t, &owner, "upright", &upright, "video/quicktime", "private").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!((video["width"].as_u64(), video["height"].as_u64()), (Some(720), Some(1280)), "as shown");
    let done = settled(&t, &owner, id).await;
    assert_eq!((done["status"].as_str(), done["hls"].as_bool()), (Some("ready"), Some(true)), "{done}");
    check_ladder(&t, id, &[(720, 1280), (540, 960), (360, 640)]).await;
}

#[tokio::test]
async fn a_10_bit_hlg_clip_comes_out_8_bit_sdr() {
    let t = TestApp::transcoding(Config::default()).await;
    let owner = register(&t, "owner", "password1").await;
    let video = upload_bytes(&t, &owner, "hlg", hlg_mov(), "video/quicktime", "private").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!(video["status"], "processing");
    assert_eq!(
        (video["media"]["bit_depth"].as_u64(), video["media"]["dynamic_range"].as_str()),
        (Some(10), Some("hlg"))
    );
    let done = settled(&t, &owner, id).await;
    assert_eq!((done["status"].as_str(), done["hls"].as_bool()), (Some("ready"), Some(true)), "{done}");
    // check_ladder asserts yuv420p and a BT.709 transfer (never arib-std-b67) on the rendition.
    check_ladder(&t, id, &[(640, 360)]).await;
}

#[tokio::test]
async fn a_4k_clip_is_processing_then_gets_four_rungs_up_to_1080p() {
    let t = TestApp::transcoding(Config::default()).await;
    let owner = register(&t, "owner", "password1").await;
    let video = upload_bytes(&t, &owner, "uhd", uhd_mp4(), "video/mp4", "unlisted").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!(video["status"], "processing", "over 1080p: not served as is");
    let done = settled(&t, &owner, id).await;
    assert_eq!((done["status"].as_str(), done["hls"].as_bool()), (Some("ready"), Some(true)), "{done}");
    check_ladder(&t, id, &[(1920, 1080), (1280, 720), (960, 540), (640, 360)]).await;
}

#[tokio::test]
async fn transcode_always_gives_a_playable_mp4_a_ladder_while_it_plays_already() {
    let t = TestApp::transcoding(Config { transcode_mode: TranscodeMode::Always, ..Config::default() }).await;
    let owner = register(&t, "owner", "password1").await;
    let stranger = register(&t, "stranger", "password1").await;
    let video = upload_bytes(&t, &owner, "always", h264_mp4(), "video/mp4", "public").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!((video["status"].as_str(), video["hls"].as_bool()), (Some("ready"), Some(false)));
    watch(&t, Some(&stranger), id).await.assert_status(200);
    let done = settled(&t, &owner, id).await;
    assert_eq!((done["status"].as_str(), done["hls"].as_bool()), (Some("ready"), Some(true)), "{done}");
    check_ladder(&t, id, &[(640, 360)]).await;
}

#[tokio::test]
async fn a_failed_transcode_is_shown_to_its_owner_and_never_to_others() {
    let t = TestApp::transcoding(Config::default()).await;
    let owner = register(&t, "owner", "password1").await;
    let stranger = register(&t, "stranger", "password1").await;
    let video = upload_bytes(&t, &owner, "garbled", &undecodable(hevc_mov()), "video/quicktime", "public").await;
    let id = video["id"].as_str().unwrap();
    assert_eq!(video["status"], "processing", "the sniffer reads the index, which is intact");
    let done = settled(&t, &owner, id).await;
    assert_eq!(done["status"], "failed", "{done}");
    assert_eq!(done["transcode"]["state"], "error");
    let error = done["transcode"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("could not be converted"), "{done}");
    assert_eq!(done["hls"], false);
    watch(&t, Some(&stranger), id).await.assert_error(404, "005");
    watch(&t, None, id).await.assert_error(404, "005");
    assert!(feed(&t).await.is_empty());
    assert!(keys_under(&t, &format!("hls/{id}/")).await.is_empty(), "nothing of a failed job is stored");
}
