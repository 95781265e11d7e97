//! `GET /search?q=`: ready, public videos whose words start with each query
//! word (case and accents aside), newest first, paged like the feed.

use http::StatusCode;
use lambda_http::{Body, Request, Response};

use super::views::VideoList;
use super::Handler;
use crate::access::Access;
use crate::domain::page::Page;
use crate::domain::search::{searchable, SearchQuery};
use crate::error::ApiResult;
use crate::http_io::{json_response, page_request, query_param};
use crate::ports::VideoSearcher;

pub struct SearchVideos<V> {
    pub search: V,
}

impl<V: VideoSearcher + 'static> Handler for SearchVideos<V> {
    fn access(&self) -> Vec<Access> {
        self.search.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let query = SearchQuery::parse(query_param(&req, "q").as_deref())?;
        let page = page_request(&req)?;
        let found = self.search.search(&query, &page).await?;
        // The index may lag an edit or a deletion: the videos as they now are decide.
        let items = found.items.into_iter().filter(|v| searchable(v) && query.matches(v)).collect();
        Ok(json_response(StatusCode::OK, &VideoList::from(Page { items, next_cursor: found.next_cursor })))
    }
}
