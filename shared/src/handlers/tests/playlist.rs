//! `GET /videos/{id}/hls/{file}` on fakes: the ladder's own playlists only,
//! the master as stored, every segment presigned, and refusals.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::fakes::Memory;
use super::outcome;
use super::playback::{get, ladder, seed};
use crate::access::Access;
use crate::config::Config;
use crate::domain::video::{Privacy, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::handlers::playlist::{GetPlaylist, MAX_PLAYLIST_BYTES};
use crate::handlers::Handler;
use crate::ports::PlaylistReader;

/// The bucket's `hls/` objects.
#[derive(Clone, Default)]
struct Objects(Arc<Mutex<HashMap<String, Vec<u8>>>>);

impl PlaylistReader for Objects {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn read_playlist(&self, key: &str, max_bytes: u64) -> ApiResult<Option<Vec<u8>>> {
        assert_eq!(max_bytes, MAX_PLAYLIST_BYTES);
        let bytes = self.0.lock().unwrap().get(key).cloned();
        match bytes {
            Some(bytes) if bytes.len() as u64 > max_bytes => Err(ApiError::internal("too large")),
            other => Ok(other),
        }
    }
}

const MASTER: &str = "#EXTM3U\n#EXT-X-VERSION:3\n\
#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=640x360,CODECS=\"avc1.4d401e,mp4a.40.2\"\nmaster_360p.m3u8\n\
#EXT-X-STREAM-INF:BANDWIDTH=528000,RESOLUTION=426x240\nmaster_240p.m3u8\n";

fn media(segments: &[&str]) -> String {
    let mut text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n".to_owned();
    for segment in segments {
        text.push_str(&format!("#EXTINF:6.000,\n{segment}\n"));
    }
    text + "#EXT-X-ENDLIST\n"
}

fn handler(memory: &Memory, objects: &Objects) -> GetPlaylist<Memory, Memory, Objects, Memory> {
    GetPlaylist {
        sessions: memory.clone(),
        videos: memory.clone(),
        playlists: objects.clone(),
        segment_urls: memory.clone(),
        config: Config::default(),
    }
}

fn body(response: &lambda_http::Response<lambda_http::Body>) -> String {
    String::from_utf8(response.body().as_ref().to_vec()).unwrap()
}

#[tokio::test]
async fn the_master_keeps_its_relative_variants_and_is_never_cached() {
    let (memory, objects) = (Memory::default(), Objects::default());
    let video = seed(&memory, VideoStatus::Ready, Privacy::Public, Some(ladder()));
    objects.0.lock().unwrap().insert(format!("hls/{}/master.m3u8", video.id), MASTER.into());
    let response = handler(&memory, &objects).handle(get(&[("id", &video.id), ("file", "master.m3u8")], None)).await;
    let response = response.unwrap();
    assert_eq!(response.headers()["content-type"], "application/vnd.apple.mpegurl");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let master = m3u8_rs::parse_master_playlist_res(response.body().as_ref()).unwrap();
    let uris: Vec<&str> = master.variants.iter().map(|v| v.uri.as_str()).collect();
    assert_eq!(uris, ["master_360p.m3u8", "master_240p.m3u8"]);
    assert_eq!(master.variants[0].bandwidth, 928_000);
}

#[tokio::test]
async fn every_segment_of_a_rung_becomes_a_presigned_get_of_its_own_directory() {
    let (memory, objects) = (Memory::default(), Objects::default());
    let video = seed(&memory, VideoStatus::Ready, Privacy::Public, Some(ladder()));
    let stored = media(&["master_360p_00001.ts", "master_360p_00002.ts"]);
    objects.0.lock().unwrap().insert(format!("hls/{}/master_360p.m3u8", video.id), stored.into());
    let req = get(&[("id", &video.id), ("file", "master_360p.m3u8")], None);
    let text = body(&handler(&memory, &objects).handle(req).await.unwrap());
    let playlist = m3u8_rs::parse_media_playlist_res(text.as_bytes()).unwrap();
    let uris: Vec<&str> = playlist.segments.iter().map(|s| s.uri.as_str()).collect();
    let presigned = |n| format!("https://s3.test/hls/{}/master_360p_0000{n}.ts?type=video/mp2t&ttl=3600", video.id);
    assert_eq!(uris, [presigned(1), presigned(2)]);
    assert!(playlist.end_list && playlist.target_duration == 6, "{text}");
}

#[tokio::test]
async fn a_file_outside_the_ladder_or_a_missing_object_is_404() {
    let (memory, objects) = (Memory::default(), Objects::default());
    let video = seed(&memory, VideoStatus::Ready, Privacy::Public, Some(ladder()));
    let without_ladder = seed(&memory, VideoStatus::Ready, Privacy::Public, None);
    let playlist = handler(&memory, &objects);
    for (id, file) in [
        (&video.id, "master_720p.m3u8"),
        (&video.id, "master_360p_00001.ts"),
        (&video.id, "..%2Fvideos"),
        (&video.id, "master.m3u8"), // in the ladder, but no object
        (&without_ladder.id, "master.m3u8"),
    ] {
        let answer = playlist.handle(get(&[("id", id), ("file", file)], None)).await;
        assert_eq!(outcome(answer), (404, Some("005")), "{file}");
    }
}

#[tokio::test]
async fn a_private_videos_playlists_are_its_owners_only() {
    let (memory, objects) = (Memory::default(), Objects::default());
    let (owner, stranger) = (memory.sign_in("alice"), memory.sign_in("bob"));
    let video = seed(&memory, VideoStatus::Ready, Privacy::Private, Some(ladder()));
    objects.0.lock().unwrap().insert(format!("hls/{}/master.m3u8", video.id), MASTER.into());
    let playlist = handler(&memory, &objects);
    let params = [("id", video.id.as_str()), ("file", "master.m3u8")];
    for token in [None, Some(stranger.as_str())] {
        assert_eq!(outcome(playlist.handle(get(&params, token)).await), (404, Some("005")));
    }
    assert_eq!(outcome(playlist.handle(get(&params, Some(&owner))).await), (200, None));
}

#[tokio::test]
async fn a_stored_playlist_that_names_other_files_or_is_not_one_is_refused_as_our_fault() {
    let (memory, objects) = (Memory::default(), Objects::default());
    let video = seed(&memory, VideoStatus::Ready, Privacy::Public, Some(ladder()));
    let key = format!("hls/{}/master_360p.m3u8", video.id);
    let playlist = handler(&memory, &objects);
    let oversized = "#".repeat(MAX_PLAYLIST_BYTES as usize + 1);
    for stored in [
        media(&["../../videos/original"]),
        media(&["https://elsewhere.example/x.ts"]),
        media(&["sub/master_360p_00001.ts"]),
        media(&[".hidden.ts"]),
        "not a playlist".to_owned(),
        oversized,
    ] {
        objects.0.lock().unwrap().insert(key.clone(), stored.into());
        let answer = playlist.handle(get(&[("id", &video.id), ("file", "master_360p.m3u8")], None)).await;
        assert_eq!(outcome(answer), (500, Some("004")));
    }
}
