//! `GET /videos/{id}` on fakes: who may see what, ids that are not UUIDs, and
//! the stream URL of a ready video.

use super::fakes::Memory;
use super::{outcome, request};
use crate::config::Config;
use crate::domain::video::{Privacy, Video, VideoStatus};
use crate::handlers::videos::GetVideo;
use crate::handlers::Handler;

fn get_video(memory: &Memory) -> GetVideo<Memory, Memory, Memory> {
    GetVideo {
        sessions: memory.clone(),
        videos: memory.clone(),
        download_urls: memory.clone(),
        config: Config::default(),
    }
}

pub(super) fn video(owner: &str, status: VideoStatus, privacy: Privacy) -> Video {
    Video::example(owner, status, privacy)
}

#[tokio::test]
async fn a_private_or_pending_video_is_404_to_everyone_but_its_owner() {
    let memory = Memory::default();
    let (owner, stranger) = (memory.sign_in("alice"), memory.sign_in("bob"));
    let get = get_video(&memory);
    for (status, privacy, public) in [
        (VideoStatus::Ready, Privacy::Public, true),
        (VideoStatus::Ready, Privacy::Unlisted, true),
        (VideoStatus::Ready, Privacy::Private, false),
        (VideoStatus::Pending, Privacy::Public, false),
    ] {
        let v = video("alice", status, privacy);
        memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
        let expected = if public { (200, None) } else { (404, Some("005")) };
        assert_eq!(outcome(get.handle(request("GET", None, None, Some(&v.id))).await), expected);
        assert_eq!(outcome(get.handle(request("GET", Some(&stranger), None, Some(&v.id))).await), expected);
        assert_eq!(outcome(get.handle(request("GET", Some(&owner), None, Some(&v.id))).await), (200, None));
    }
}

#[tokio::test]
async fn a_non_uuid_id_is_404_and_a_bad_token_is_401_not_anonymity() {
    let memory = Memory::default();
    let get = get_video(&memory);
    assert_eq!(outcome(get.handle(request("GET", None, None, Some("../etc/passwd"))).await), (404, Some("005")));
    let v = video("alice", VideoStatus::Ready, Privacy::Public);
    memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
    let forged = request("GET", Some("not-a-session"), None, Some(&v.id));
    assert_eq!(outcome(get.handle(forged).await), (401, Some("002")));
}

#[tokio::test]
async fn a_ready_video_comes_with_a_stream_url_and_a_pending_one_without() {
    let memory = Memory::default();
    let owner = memory.sign_in("alice");
    let get = get_video(&memory);
    for (status, privacy, token) in [
        (VideoStatus::Ready, Privacy::Public, None),
        (VideoStatus::Ready, Privacy::Private, Some(owner.as_str())),
        (VideoStatus::Pending, Privacy::Public, Some(owner.as_str())),
        (VideoStatus::Rejected, Privacy::Public, Some(owner.as_str())),
    ] {
        let v = video("alice", status, privacy);
        memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
        let response = get.handle(request("GET", token, None, Some(&v.id))).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
        assert_eq!(body["id"], v.id.as_str(), "the video itself, not wrapped");
        let expected =
            (status == VideoStatus::Ready).then(|| format!("https://s3.test/videos/{}?type=video/mp4&ttl=3600", v.id));
        assert_eq!(body["stream_url"].as_str().map(str::to_owned), expected, "{status:?} {privacy:?}");
    }
}
