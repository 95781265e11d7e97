//! `GET /videos/{id}/playback` on fakes: who may play what, the ladder locally
//! and with the CDN's cookies, the original, and 409 when nothing plays.

use std::collections::HashMap;

use lambda_http::{Body, Request, RequestExt};

use super::fakes::Memory;
use super::outcome;
use crate::access::Access;
use crate::config::Config;
use crate::domain::transcode::{Hls, HlsRung};
use crate::domain::video::{Privacy, Video, VideoStatus};
use crate::error::ApiResult;
use crate::handlers::playback::GetPlayback;
use crate::handlers::Handler;
use crate::ports::{CookieGrant, PlaybackCookies};

/// The CDN's signer, as a fake: the host it was given in the policy cookie's value.
#[derive(Clone, Copy)]
pub(super) struct FakeCdn {
    pub configured: bool,
}

impl PlaybackCookies for FakeCdn {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    fn grant(&self, video_id: &str, request_host: Option<&str>, now: i64) -> ApiResult<Option<CookieGrant>> {
        Ok(self.configured.then(|| CookieGrant {
            cookies: vec![
                ("CloudFront-Policy".into(), format!("for-{}", request_host.unwrap_or("none"))),
                ("CloudFront-Signature".into(), "sig".into()),
                ("CloudFront-Key-Pair-Id".into(), "K1".into()),
            ],
            path: format!("/hls/{video_id}/"),
            expires_at: now + 900,
            ttl_secs: 900,
        }))
    }
}

fn get_playback(memory: &Memory, configured: bool) -> GetPlayback<Memory, Memory, Memory, FakeCdn> {
    GetPlayback {
        sessions: memory.clone(),
        videos: memory.clone(),
        download_urls: memory.clone(),
        cookies: FakeCdn { configured },
        config: Config::default(),
    }
}

pub(super) fn ladder() -> Hls {
    Hls {
        rungs: vec![
            HlsRung { width: 640, height: 360, playlist: "master_360p.m3u8".into() },
            HlsRung { width: 426, height: 240, playlist: "master_240p.m3u8".into() },
        ],
    }
}

/// A video of alice's, stored.
pub(super) fn seed(memory: &Memory, status: VideoStatus, privacy: Privacy, hls: Option<Hls>) -> Video {
    let video = Video { hls, ..Video::example("alice", status, privacy) };
    memory.videos.lock().unwrap().insert(video.id.clone(), video.clone());
    video
}

/// A GET with these path parameters, a token and a Host header.
pub(super) fn get(params: &[(&str, &str)], token: Option<&str>) -> Request {
    let mut builder = http::Request::builder().uri("http://localhost/").header("host", "site.example");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let params: HashMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    builder.body(Body::Empty).unwrap().with_path_parameters(params)
}

fn json(response: &lambda_http::Response<Body>) -> serde_json::Value {
    serde_json::from_slice(response.body().as_ref()).unwrap()
}

#[tokio::test]
async fn only_who_may_see_the_video_gets_its_playback_and_others_get_404_as_for_a_missing_one() {
    let memory = Memory::default();
    let (owner, stranger) = (memory.sign_in("alice"), memory.sign_in("bob"));
    let playback = get_playback(&memory, false);
    for (status, privacy, public) in [
        (VideoStatus::Ready, Privacy::Public, true),
        (VideoStatus::Ready, Privacy::Unlisted, true),
        (VideoStatus::Ready, Privacy::Private, false),
        (VideoStatus::Processing, Privacy::Public, false),
    ] {
        let video = seed(&memory, status, privacy, Some(ladder()).filter(|_| status == VideoStatus::Ready));
        let expected = if public { (200, None) } else { (404, Some("005")) };
        for token in [None, Some(stranger.as_str())] {
            assert_eq!(outcome(playback.handle(get(&[("id", &video.id)], token)).await), expected, "{status:?}");
        }
        let by_owner = playback.handle(get(&[("id", &video.id)], Some(&owner))).await;
        assert_eq!(outcome(by_owner), (200, None), "{status:?} {privacy:?}");
    }
    let missing = uuid::Uuid::now_v7().to_string();
    assert_eq!(outcome(playback.handle(get(&[("id", &missing)], None)).await), (404, Some("005")));
    assert_eq!(outcome(playback.handle(get(&[("id", "../x")], None)).await), (404, Some("005")));
    assert_eq!(outcome(playback.handle(get(&[("id", &missing)], Some("forged"))).await), (401, Some("002")));
}

#[tokio::test]
async fn a_ladder_is_played_through_the_playlist_route_locally() {
    let memory = Memory::default();
    let video = seed(&memory, VideoStatus::Ready, Privacy::Public, Some(ladder()));
    let response = get_playback(&memory, false).handle(get(&[("id", &video.id)], None)).await.unwrap();
    let body = json(&response);
    assert_eq!(body["kind"], "hls");
    assert_eq!(body["url"], format!("/videos/{}/hls/master.m3u8", video.id));
    assert_eq!(body["renew_after_seconds"], 2400, "two thirds of the presigned segments' hour");
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn behind_the_cdn_the_answer_sets_three_cookies_scoped_to_the_videos_renditions() {
    let memory = Memory::default();
    let video = seed(&memory, VideoStatus::Ready, Privacy::Unlisted, Some(ladder()));
    let response = get_playback(&memory, true).handle(get(&[("id", &video.id)], None)).await.unwrap();
    let body = json(&response);
    assert_eq!((body["kind"].as_str(), body["renew_after_seconds"].as_u64()), (Some("hls"), Some(600)));
    assert_eq!(body["url"], format!("/hls/{}/master.m3u8", video.id));
    let cookies: Vec<&str> = response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    let attributes = format!("; Path=/hls/{}/; Secure; HttpOnly; SameSite=Strict; Max-Age=900", video.id);
    assert_eq!(
        cookies,
        [
            format!("CloudFront-Policy=for-site.example{attributes}"),
            format!("CloudFront-Signature=sig{attributes}"),
            format!("CloudFront-Key-Pair-Id=K1{attributes}"),
        ]
    );
}

#[tokio::test]
async fn without_a_ladder_a_ready_video_or_the_owners_processing_one_plays_its_original() {
    let memory = Memory::default();
    let owner = memory.sign_in("alice");
    let playback = get_playback(&memory, true);
    for (status, token) in [(VideoStatus::Ready, None), (VideoStatus::Processing, Some(owner.as_str()))] {
        let video = seed(&memory, status, Privacy::Public, None);
        let response = playback.handle(get(&[("id", &video.id)], token)).await.unwrap();
        let body = json(&response);
        assert_eq!(body["kind"], "file", "{status:?}");
        assert_eq!(body["url"], format!("https://s3.test/videos/{}?type=video/mp4&ttl=3600", video.id));
        assert_eq!(
            (body["content_type"].as_str(), body["renew_after_seconds"].as_u64()),
            (Some("video/mp4"), Some(2400))
        );
        assert!(response.headers().get("set-cookie").is_none(), "no cookies for a file");
    }
}

#[tokio::test]
async fn the_owner_of_a_video_with_nothing_to_play_gets_409() {
    let memory = Memory::default();
    let owner = memory.sign_in("alice");
    for status in [VideoStatus::Pending, VideoStatus::Failed, VideoStatus::Rejected] {
        let video = seed(&memory, status, Privacy::Public, None);
        let answer = get_playback(&memory, false).handle(get(&[("id", &video.id)], Some(&owner))).await;
        assert_eq!(outcome(answer), (409, Some("006")), "{status:?}");
        let anonymous = get_playback(&memory, false).handle(get(&[("id", &video.id)], None)).await;
        assert_eq!(outcome(anonymous), (404, Some("005")), "{status:?} never leaks to others");
    }
}
