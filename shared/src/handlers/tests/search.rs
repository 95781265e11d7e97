//! `GET /search` on a fake index that lags the videos: what the handler
//! shows is decided by the videos as they now are, and bad input is a 400.

use std::sync::Mutex;

use lambda_http::{Body, Request, RequestExt};

use super::outcome;
use crate::access::Access;
use crate::domain::page::{Page, PageRequest};
use crate::domain::search::SearchQuery;
use crate::domain::video::{Privacy, Video, VideoStatus};
use crate::error::ApiResult;
use crate::handlers::search::SearchVideos;
use crate::handlers::Handler;
use crate::ports::VideoSearcher;

/// Returns every video it holds as the index's hits, newest first, and
/// records the query it was asked.
#[derive(Default)]
struct StaleIndex {
    hits: Vec<Video>,
    asked: Mutex<Vec<(SearchQuery, u32)>>,
}

impl VideoSearcher for StaleIndex {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn search(&self, query: &SearchQuery, page: &PageRequest) -> ApiResult<Page<Video>> {
        self.asked.lock().unwrap().push((query.clone(), page.limit));
        Ok(Page { items: self.hits.clone(), next_cursor: Some("more".into()) })
    }
}

fn get(query: &[(&str, &str)]) -> Request {
    let req = http::Request::builder().uri("http://localhost/search").body(Body::Empty).unwrap();
    let params: std::collections::HashMap<String, Vec<String>> =
        query.iter().map(|(k, v)| (k.to_string(), vec![v.to_string()])).collect();
    req.with_query_string_parameters(params)
}

fn named(name: &str, status: VideoStatus, privacy: Privacy) -> Video {
    let mut video = Video::example("ann", status, privacy);
    video.name = name.into();
    video
}

#[tokio::test]
async fn only_ready_public_videos_that_still_match_are_shown_in_the_index_order() {
    let hits = vec![
        named("Café crème", VideoStatus::Ready, Privacy::Public),
        named("Café privé", VideoStatus::Ready, Privacy::Private),
        named("Café unlisted", VideoStatus::Ready, Privacy::Unlisted),
        named("Café pending", VideoStatus::Pending, Privacy::Public),
        // Renamed since it was indexed: no longer a match.
        named("Tea time", VideoStatus::Ready, Privacy::Public),
        named("CAFE noir", VideoStatus::Ready, Privacy::Public),
    ];
    let handler = SearchVideos { search: StaleIndex { hits, ..StaleIndex::default() } };
    let response = handler.handle(get(&[("q", "cafe"), ("limit", "6")])).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    let names: Vec<&str> = body["videos"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Café crème", "CAFE noir"]);
    assert_eq!(body["next_cursor"], "more");
    let asked = handler.search.asked.lock().unwrap();
    assert_eq!(asked[0].0.words, ["cafe"]);
    assert_eq!(asked[0].1, 6);
}

#[tokio::test]
async fn an_empty_or_too_long_query_and_a_bad_limit_are_400_without_a_search() {
    let handler = SearchVideos { search: StaleIndex::default() };
    let long = "a".repeat(101);
    for query in
        [vec![], vec![("q", "")], vec![("q", " ,;")], vec![("q", long.as_str())], vec![("q", "x"), ("limit", "0")]]
    {
        let (status, code) = outcome(handler.handle(get(&query)).await);
        assert_eq!(status, 400, "{query:?}");
        assert!(code.is_some());
    }
    assert!(handler.search.asked.lock().unwrap().is_empty());
}
