//! Delivery against the local stack: a real two-rung HLS ladder made by ffmpeg,
//! stored under `hls/{id}/`, played through `GET /videos/{id}/playback` and
//! `GET /videos/{id}/hls/{file}`; CloudFront's cookies checked with OpenSSL.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use vidlet::domain::transcode::{Hls, HlsRung, JobOutcome, TranscodeState};
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::domain::{now_epoch, rfc3339};
use vidlet::ports::*;
use vidlet::store::cloudfront::CloudFrontCookies;
use vidlet_tests::{handler, http_client, unique, Req, TestApp, TestResponse};

use crate::accounts::register;

const RUNGS: [(&str, u32, u32); 2] = [("540p", 960, 540), ("360p", 640, 360)];

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("vidlet-playback-{}", unique()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Two rungs of 2 s (6 s segments: one each), named as the design names them:
/// `master.m3u8`, `master_{rung}.m3u8`, `master_{rung}_00001.ts`.
fn make_ladder(dir: &Path) {
    let status = Command::new("ffmpeg")
        .current_dir(dir)
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=960x540:rate=30:duration=2"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-filter_complex"])
        .arg("[0:v]split=2[a][b];[a]scale=960:540[v0];[b]scale=640:360[v1]")
        .args(["-map", "[v0]", "-map", "1:a", "-map", "[v1]", "-map", "1:a", "-c:v", "libx264", "-preset"])
        .args(["ultrafast", "-crf", "35", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-f", "hls"])
        .args(["-hls_time", "6", "-hls_playlist_type", "vod", "-start_number", "1"])
        .args(["-hls_segment_filename", "master_%v_%05d.ts", "-master_pl_name", "master.m3u8"])
        .args(["-var_stream_map", "v:0,a:0,name:540p v:1,a:1,name:360p", "master_%v.m3u8"])
        .status()
        .expect("ffmpeg is installed (make test installs it)");
    assert!(status.success(), "ffmpeg made no ladder");
}

async fn put(t: &TestApp, key: &str, bytes: Vec<u8>) {
    let put = t.s3.put_object().bucket(&t.config.bucket).key(key).body(bytes.into());
    put.send().await.unwrap();
}

/// A ready video of `owner`'s whose job completed: its ladder recorded as
/// transcode-events records it, and (with `files`) the files under `hls/{id}/`.
async fn seed_ladder_video(t: &TestApp, owner: &str, privacy: Privacy, files: Option<&Path>) -> String {
    let video = Video::example(owner, VideoStatus::Pending, privacy);
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    let info = ReadyInfo { transcode: Some(TranscodeState::submitting(now_epoch())), ..ReadyInfo::default() };
    t.db.mark_ready(&video, &info).await.unwrap().expect("was pending");
    if let Some(dir) = files {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            put(t, &format!("hls/{}/{name}", video.id), std::fs::read(&path).unwrap()).await;
        }
    }
    let rungs = RUNGS.iter().map(|(name, width, height)| HlsRung {
        width: *width,
        height: *height,
        playlist: format!("master_{name}.m3u8"),
    });
    let hls = Hls { rungs: rungs.collect() };
    let recorded = t.db.record(&video.id, "job-1", &JobOutcome::Complete(hls)).await.unwrap();
    assert!(matches!(recorded, Recorded::Applied(_)), "{recorded:?}");
    video.id
}

fn playlist(id: &str, file: &str) -> Req {
    Req::get(&format!("/videos/{id}/hls/{file}")).param("id", id).param("file", file)
}

async fn get_playlist(t: &TestApp, id: &str, file: &str, token: Option<&str>) -> TestResponse {
    let req = playlist(id, file);
    t.call(handler!(videos::get_playlist), token.map_or(req.clone(), |token| req.bearer(token)).build()).await
}

async fn get_playback(t: &TestApp, id: &str, token: Option<&str>) -> TestResponse {
    let req = Req::get(&format!("/videos/{id}/playback")).param("id", id);
    t.call(handler!(videos::get_playback), token.map_or(req.clone(), |token| req.bearer(token)).build()).await
}

#[tokio::test]
async fn a_ladder_plays_locally_its_segments_presigned_and_ranged() {
    let t = TestApp::new().await;
    register(&t, "broadcaster", "password1").await;
    let scratch = Scratch::new();
    make_ladder(&scratch.0);
    let id = seed_ladder_video(&t, "broadcaster", Privacy::Public, Some(&scratch.0)).await;

    let source = get_playback(&t, &id, None).await;
    assert_eq!(source.assert_status(200)["kind"], "hls");
    assert_eq!(source.body["url"], format!("/videos/{id}/hls/master.m3u8"));
    assert!(source.headers.get("set-cookie").is_none());

    let master = get_playlist(&t, &id, "master.m3u8", None).await;
    assert_eq!(master.status.as_u16(), 200, "{}", String::from_utf8_lossy(&master.raw));
    assert_eq!(master.headers["content-type"], "application/vnd.apple.mpegurl");
    assert_eq!(master.headers["cache-control"], "no-store");
    let parsed = m3u8_rs::parse_master_playlist_res(&master.raw).expect("the master parses");
    let variants: Vec<&str> = parsed.variants.iter().map(|v| v.uri.as_str()).collect();
    assert_eq!(variants, ["master_540p.m3u8", "master_360p.m3u8"], "relative: they come back to this route");

    for variant in variants {
        let rung = get_playlist(&t, &id, variant, None).await;
        assert_eq!(rung.status.as_u16(), 200, "{variant}: {}", String::from_utf8_lossy(&rung.raw));
        let media = m3u8_rs::parse_media_playlist_res(&rung.raw).expect("the rung parses");
        assert!(!media.segments.is_empty() && media.end_list);
        for segment in &media.segments {
            // Presigned on the S3 endpoint the tests reach (LOCALSTACK_PORT may move it).
            let s3 = vidlet::store::client::endpoint("S3").unwrap_or_else(|| t.config.s3_origin.clone());
            assert!(segment.uri.starts_with(&format!("{}/", s3.trim_end_matches('/'))), "{}", segment.uri);
            assert!(segment.uri.contains(&format!("hls/{id}/master_")) && segment.uri.contains("X-Amz-Signature="));
            let whole = http_client().get(&segment.uri).send().await.unwrap();
            assert_eq!(whole.status().as_u16(), 200);
            assert_eq!(whole.headers()["content-type"], "video/mp2t");
            let bytes = whole.bytes().await.unwrap();
            assert_eq!(bytes[0], 0x47, "an MPEG-TS packet starts with the sync byte");
            let ranged = http_client().get(&segment.uri).header("range", "bytes=188-375").send().await.unwrap();
            assert_eq!(ranged.status().as_u16(), 206);
            let packet = ranged.bytes().await.unwrap();
            assert_eq!((packet.len(), packet[0]), (188, 0x47), "the second packet, alone");
        }
    }
    let head = t
        .call(handler!(videos::get_playlist), Req::head("/").param("id", &id).param("file", "master.m3u8").build())
        .await;
    assert_eq!((head.status.as_u16(), head.raw.len()), (200, 0));
    assert_eq!(head.headers["content-length"], master.raw.len().to_string().as_str());

    for outside in ["master_1080p.m3u8", "master_360p_00001.ts", "master", "..%2Fmaster.m3u8"] {
        get_playlist(&t, &id, outside, None).await.assert_error(404, "005");
    }
}

#[tokio::test]
async fn a_private_ladder_is_its_owners_only_and_a_missing_or_oversized_playlist_is_told_apart() {
    let t = TestApp::new().await;
    let owner = register(&t, "recluse", "password1").await;
    let stranger = register(&t, "onlooker", "password1").await;
    // The playlists only: this test reads no segment.
    let id = seed_ladder_video(&t, "recluse", Privacy::Private, None).await;
    put(&t, &format!("hls/{id}/master.m3u8"), b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nmaster_360p.m3u8\n".to_vec())
        .await;
    for token in [None, Some(stranger.as_str())] {
        get_playback(&t, &id, token).await.assert_error(404, "005");
        get_playlist(&t, &id, "master.m3u8", token).await.assert_error(404, "005");
    }
    assert_eq!(get_playback(&t, &id, Some(&owner)).await.assert_status(200)["kind"], "hls");
    assert_eq!(get_playlist(&t, &id, "master.m3u8", Some(&owner)).await.status.as_u16(), 200);

    // A rung in the ladder whose object is not there: 404, not a fault.
    get_playlist(&t, &id, "master_540p.m3u8", Some(&owner)).await.assert_error(404, "005");
    // One larger than any playlist of ours: refused unread, as our fault.
    put(&t, &format!("hls/{id}/master_360p.m3u8"), vec![b'#'; 1024 * 1024 + 1]).await;
    get_playlist(&t, &id, "master_360p.m3u8", Some(&owner)).await.assert_error(500, "004");
}

/// `openssl` with `input` on its standard input; its output, or the failure.
fn openssl(args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openssl is installed");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

fn cloudfront_decode(value: &str) -> Vec<u8> {
    let standard = value.replace('-', "+").replace('_', "=").replace('~', "/");
    base64::engine::general_purpose::STANDARD.decode(standard).unwrap()
}

#[tokio::test]
async fn behind_cloudfront_the_cookies_are_scoped_to_the_video_and_verify_with_the_public_key() {
    let t = TestApp::new().await;
    register(&t, "signer", "password1").await;
    let id = seed_ladder_video(&t, "signer", Privacy::Unlisted, None).await;
    // As the README has it made: OpenSSL 3's genrsa (PKCS#8), the public half for CloudFront.
    let private_pem = String::from_utf8(openssl(&["genrsa", "2048"], b"").unwrap()).unwrap();
    let public_pem = openssl(&["rsa", "-pubout"], private_pem.as_bytes()).unwrap();
    let cookies = CloudFrontCookies::new("K2JCJMDEHXQW5F", &private_pem, 900, None).unwrap();
    let host = "d111111abcdef8.cloudfront.net";
    let req = Req::get(&format!("/videos/{id}/playback")).param("id", &id).header("host", host);
    let before = now_epoch();
    let answer = t.call_with(&t.get_playback(cookies), req.build()).await;
    let body = answer.assert_status(200);
    assert_eq!((body["kind"].as_str(), body["renew_after_seconds"].as_u64()), (Some("hls"), Some(600)));
    assert_eq!(body["url"], format!("/hls/{id}/master.m3u8"));

    let mut values = std::collections::BTreeMap::new();
    for cookie in answer.headers.get_all("set-cookie") {
        let cookie = cookie.to_str().unwrap();
        let (pair, attributes) = cookie.split_once("; ").unwrap();
        assert_eq!(attributes, format!("Path=/hls/{id}/; Secure; HttpOnly; SameSite=Strict; Max-Age=900"));
        let (name, value) = pair.split_once('=').unwrap();
        values.insert(name.to_owned(), value.to_owned());
    }
    let names: Vec<&str> = values.keys().map(String::as_str).collect();
    assert_eq!(names, ["CloudFront-Key-Pair-Id", "CloudFront-Policy", "CloudFront-Signature"]);
    assert_eq!(values["CloudFront-Key-Pair-Id"], "K2JCJMDEHXQW5F");

    let policy = cloudfront_decode(&values["CloudFront-Policy"]);
    let parsed: serde_json::Value = serde_json::from_slice(&policy).unwrap();
    let statement = &parsed["Statement"][0];
    assert_eq!(statement["Resource"], format!("https://{host}/hls/{id}/*"));
    let expires = statement["Condition"]["DateLessThan"]["AWS:EpochTime"].as_i64().unwrap();
    assert!((before + 900..=now_epoch() + 900).contains(&expires), "{expires}");
    assert_eq!(body["expires_at"], rfc3339(expires));

    // OpenSSL checks CloudFront's scheme (RSA, SHA-1) over the exact policy bytes.
    let scratch = Scratch::new();
    let (public, signature) = (scratch.0.join("public.pem"), scratch.0.join("signature"));
    std::fs::write(&public, &public_pem).unwrap();
    std::fs::write(&signature, cloudfront_decode(&values["CloudFront-Signature"])).unwrap();
    let verify = |data: &[u8]| {
        openssl(
            &["dgst", "-sha1", "-verify", public.to_str().unwrap(), "-signature", signature.to_str().unwrap()],
            data,
        )
    };
    assert_eq!(verify(&policy).map(|out| String::from_utf8(out).unwrap()), Ok("Verified OK\n".to_owned()));
    let mut tampered = policy.clone();
    tampered.extend_from_slice(b" ");
    assert!(verify(&tampered).is_err(), "a changed policy does not verify");
}

#[tokio::test]
async fn without_a_ladder_the_original_is_presigned_and_serves_its_bytes() {
    let t = TestApp::new().await;
    register(&t, "plain", "password1").await;
    let video = Video::example("plain", VideoStatus::Pending, Privacy::Public);
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    t.db.mark_ready(&video, &ReadyInfo::default()).await.unwrap().expect("was pending");
    let original = vidlet_tests::fixture("clip.mp4");
    put(&t, &video.object_key(), original.clone()).await;

    let source = get_playback(&t, &video.id, None).await;
    let body = source.assert_status(200);
    assert_eq!((body["kind"].as_str(), body["content_type"].as_str()), (Some("file"), Some("video/mp4")));
    assert_eq!(body["renew_after_seconds"], t.config.stream_url_ttl_secs * 2 / 3);
    let fetched = http_client().get(body["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    assert_eq!(fetched.headers()["content-type"], "video/mp4");
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), original.as_slice());
    // No ladder: no playlist either.
    get_playlist(&t, &video.id, "master.m3u8", None).await.assert_error(404, "005");
}
