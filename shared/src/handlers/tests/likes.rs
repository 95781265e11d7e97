//! Likes on fakes: idempotence, the visibility rule, sign-in, and what
//! `GET /videos/{id}` shows of them.

use super::fakes::Memory;
use super::videos::video;
use super::{outcome, request};
use crate::config::Config;
use crate::domain::video::{Privacy, VideoStatus};
use crate::handlers::likes::{LikeVideo, UnlikeVideo};
use crate::handlers::videos::GetVideo;
use crate::handlers::Handler;

#[tokio::test]
async fn liking_twice_counts_once_and_unliking_twice_uncounts_once() {
    let memory = Memory::default();
    let bob = memory.sign_in("bob");
    let v = video("alice", VideoStatus::Ready, Privacy::Public);
    memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
    let like = LikeVideo { sessions: memory.clone(), likes: memory.clone() };
    let unlike = UnlikeVideo { sessions: memory.clone(), likes: memory.clone() };
    let likes = || memory.videos.lock().unwrap()[&v.id].likes;
    for expected in [1, 1] {
        assert_eq!(outcome(like.handle(request("PUT", Some(&bob), None, Some(&v.id))).await), (204, None));
        assert_eq!(likes(), expected);
    }
    for expected in [0, 0] {
        assert_eq!(outcome(unlike.handle(request("DELETE", Some(&bob), None, Some(&v.id))).await), (204, None));
        assert_eq!(likes(), expected);
    }
}

#[tokio::test]
async fn a_hidden_video_is_404_and_anonymous_callers_are_401() {
    let memory = Memory::default();
    let bob = memory.sign_in("bob");
    let like = LikeVideo { sessions: memory.clone(), likes: memory.clone() };
    for (status, privacy) in [(VideoStatus::Ready, Privacy::Private), (VideoStatus::Pending, Privacy::Public)] {
        let v = video("alice", status, privacy);
        memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
        assert_eq!(outcome(like.handle(request("PUT", Some(&bob), None, Some(&v.id))).await), (404, Some("005")));
        assert_eq!(memory.videos.lock().unwrap()[&v.id].likes, 0);
    }
    let v = video("alice", VideoStatus::Ready, Privacy::Public);
    memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
    assert_eq!(outcome(like.handle(request("PUT", None, None, Some(&v.id))).await), (401, Some("002")));
}

#[tokio::test]
async fn get_video_shows_likes_and_liked_by_me_only_when_signed_in() {
    let memory = Memory::default();
    let (bob, carol) = (memory.sign_in("bob"), memory.sign_in("carol"));
    let v = video("alice", VideoStatus::Ready, Privacy::Public);
    memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
    let like = LikeVideo { sessions: memory.clone(), likes: memory.clone() };
    like.handle(request("PUT", Some(&bob), None, Some(&v.id))).await.unwrap();
    let get = GetVideo {
        sessions: memory.clone(),
        videos: memory.clone(),
        download_urls: memory.clone(),
        config: Config::default(),
    };
    for (token, liked) in [(Some(&bob), Some(true)), (Some(&carol), Some(false)), (None, None)] {
        let response = get.handle(request("GET", token.map(String::as_str), None, Some(&v.id))).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
        assert_eq!(body["likes"], 1);
        assert_eq!(body["liked_by_me"].as_bool(), liked);
    }
}
