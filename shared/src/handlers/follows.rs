//! Following: `PUT` and `DELETE /users/{username}/follow` (idempotent, signed
//! in, each one transaction), `GET /me/following` and `GET /feed/following`.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use super::views::VideoList;
use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::config::Config;
use crate::domain::account::{Session, Username};
use crate::domain::page::Page;
use crate::domain::{now_epoch, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_response, page_request, path_param, query_param};
use crate::ports::{
    FollowOutcome, Followed, Follower, FollowingFeedReader, FollowingReader, SessionReader, Unfollower,
};

/// The `{username}` to follow: a live user other than the caller.
fn followee(req: &Request, session: &Session) -> ApiResult<Username> {
    let name = Username::parse(&path_param(req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
    if name == session.username {
        return Err(ApiError::bad_request("you cannot follow yourself"));
    }
    Ok(name)
}

/// 204 whether or not anything changed, so a retry looks like the first try.
fn answer(outcome: FollowOutcome) -> ApiResult<Response<Body>> {
    match outcome {
        FollowOutcome::Changed | FollowOutcome::Unchanged => Ok(empty_response(StatusCode::NO_CONTENT)),
        FollowOutcome::NotFound => Err(ApiError::NotFound("user")),
        FollowOutcome::LimitReached => Err(ApiError::Conflict("you already follow as many users as one may")),
    }
}

/// `PUT /users/{username}/follow`.
pub struct FollowUser<S, F> {
    pub sessions: S,
    pub follows: F,
    pub config: Config,
}

impl<S: SessionReader + 'static, F: Follower + 'static> Handler for FollowUser<S, F> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.follows.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let target = followee(&req, &session)?;
        let (me, max) = (session.username.as_str(), self.config.max_following);
        answer(self.follows.follow(me, target.as_str(), now_epoch(), max).await?)
    }
}

/// `DELETE /users/{username}/follow`.
pub struct UnfollowUser<S, U> {
    pub sessions: S,
    pub follows: U,
}

impl<S: SessionReader + 'static, U: Unfollower + 'static> Handler for UnfollowUser<S, U> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.follows.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let target = followee(&req, &session)?;
        answer(self.follows.unfollow(session.username.as_str(), target.as_str()).await?)
    }
}

#[derive(Serialize)]
struct FollowedView {
    username: String,
    since: String,
}

#[derive(Serialize)]
struct FollowingList {
    following: Vec<FollowedView>,
    next_cursor: Option<String>,
}

impl From<Page<Followed>> for FollowingList {
    fn from(page: Page<Followed>) -> Self {
        let view = |f: Followed| FollowedView { username: f.username, since: rfc3339(f.created_at) };
        FollowingList { following: page.items.into_iter().map(view).collect(), next_cursor: page.next_cursor }
    }
}

/// `GET /me/following`: whom the caller follows, by name; with `?username=`,
/// only that follow if there is one (what a Follow button needs).
pub struct ListFollowing<S, F> {
    pub sessions: S,
    pub follows: F,
}

impl<S: SessionReader + 'static, F: FollowingReader + 'static> Handler for ListFollowing<S, F> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.follows.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let page = page_request(&req)?;
        let session = require_session(&self.sessions, &req).await?;
        let me = session.username.as_str();
        let list = match query_param(&req, "username") {
            Some(name) => {
                // A name nobody can hold is followed by nobody.
                let one = match Username::parse(&name) {
                    Ok(name) => self.follows.following(me, name.as_str()).await?,
                    Err(_) => None,
                };
                Page { items: one.into_iter().collect(), next_cursor: None }
            }
            None => self.follows.list_following(me, &page).await?,
        };
        Ok(json_response(StatusCode::OK, &FollowingList::from(list)))
    }
}

/// `GET /feed/following`: the newest public videos of whom the caller follows.
pub struct FollowingFeed<S, F> {
    pub sessions: S,
    pub feed: F,
}

impl<S: SessionReader + 'static, F: FollowingFeedReader + 'static> Handler for FollowingFeed<S, F> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.feed.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let page = page_request(&req)?;
        let session = require_session(&self.sessions, &req).await?;
        let videos = self.feed.following_feed(session.username.as_str(), &page).await?;
        Ok(json_response(StatusCode::OK, &VideoList::from(videos)))
    }
}
