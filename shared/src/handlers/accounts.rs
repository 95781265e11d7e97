//! Register, log in, log out, `/me`, public profiles and account deletion.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::videos::remove_video;
use super::views::PublicUser;
use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::config::Config;
use crate::domain::account::{
    hash_password, validate_password, verify_password, Session, SessionToken, User, Username,
};
use crate::domain::page::PageRequest;
use crate::domain::{now_epoch, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, json_response, path_param};
use crate::ports::{
    AccountCreator, AccountRemover, LoginThrottle, OwnedVideos, SessionReader, SessionRevoker, SessionWriter,
    UserReader, VideoReader, VideoRemover,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct SessionCreated {
    session_id: String,
    expires_at: String,
    user: PublicUser,
}

fn new_session(config: &Config, username: &Username, now: i64) -> (SessionToken, Session) {
    let token = SessionToken::generate();
    let session = Session {
        session_hash: token.hash(),
        username: username.clone(),
        created_at: now,
        expires_at: now + config.session_ttl_secs,
    };
    (token, session)
}

fn session_created(token: SessionToken, session: &Session, user: &User) -> Response<Body> {
    json_response(
        StatusCode::CREATED,
        &SessionCreated { session_id: token.0, expires_at: rfc3339(session.expires_at), user: user.into() },
    )
}

/// `POST /users`
pub struct Register<A> {
    pub accounts: A,
    pub config: Config,
}

impl<A: AccountCreator + 'static> Handler for Register<A> {
    fn access(&self) -> Vec<Access> {
        self.accounts.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let input: Credentials = json_body(&req)?;
        let username = Username::parse(&input.username)?;
        validate_password(&input.password)?;
        let now = now_epoch();
        let password_hash = hash_password(&input.password).map_err(|e| ApiError::internal_from("argon2", e))?;
        let user = User { username: username.clone(), password_hash, created_at: now, used_bytes: 0 };
        let (token, session) = new_session(&self.config, &username, now);
        self.accounts.create_user_with_session(&user, &session).await?;
        tracing::info!(username = %username, "user registered");
        Ok(session_created(token, &session, &user))
    }
}

/// `POST /sessions`
pub struct Login<U, S, T> {
    pub users: U,
    pub sessions: S,
    pub throttle: T,
    pub config: Config,
}

impl<U: UserReader + 'static, S: SessionWriter + 'static, T: LoginThrottle + 'static> Handler for Login<U, S, T> {
    fn access(&self) -> Vec<Access> {
        [self.users.access(), self.sessions.access(), self.throttle.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        const WRONG: ApiError = ApiError::Unauthorized("wrong username or password");
        let input: Credentials = json_body(&req)?;
        // A name that cannot exist fails like a wrong password.
        let Ok(username) = Username::parse(&input.username) else {
            verify_password(&input.password, None);
            return Err(WRONG);
        };
        let now = now_epoch();
        let window = self.config.login_window_secs;
        let failures = self.throttle.get_login_failures(&username).await?;
        if let Some(failures) = &failures {
            let window_ends = failures.window_start + window;
            if failures.failures >= self.config.login_max_failures && window_ends > now {
                return Err(ApiError::TooManyRequests { retry_after_secs: (window_ends - now) as u64 });
            }
        }
        let user = self.users.get_user(&username).await?;
        // An unknown user is verified against a dummy hash: the same time either way.
        let verified = verify_password(&input.password, user.as_ref().map(|u| u.password_hash.as_str()));
        let Some(user) = user.filter(|_| verified) else {
            self.throttle.record_login_failure(&username, now, window).await?;
            return Err(WRONG);
        };
        if failures.is_some() {
            self.throttle.clear_login_failures(&username).await?;
        }
        let (token, session) = new_session(&self.config, &username, now);
        self.sessions.put_session(&session).await?;
        Ok(session_created(token, &session, &user))
    }
}

/// `DELETE /sessions/current`
pub struct Logout<S> {
    pub sessions: S,
}

impl<S: SessionReader + SessionRevoker + 'static> Handler for Logout<S> {
    fn access(&self) -> Vec<Access> {
        [SessionReader::access(&self.sessions), SessionRevoker::access(&self.sessions)].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        self.sessions.delete_session(&session.session_hash).await?;
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}

/// `GET /me`: the user, and their storage against the quota.
pub struct Me<S, U> {
    pub sessions: S,
    pub users: U,
    pub config: Config,
}

#[derive(Serialize)]
struct MeView {
    #[serde(flatten)]
    user: PublicUser,
    used_bytes: u64,
    quota_bytes: u64,
}

impl<S: SessionReader + 'static, U: UserReader + 'static> Handler for Me<S, U> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.users.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let user = self
            .users
            .get_user(&session.username)
            .await?
            .ok_or(ApiError::Unauthorized("unknown or expired session"))?;
        let me =
            MeView { user: (&user).into(), used_bytes: user.used_bytes, quota_bytes: self.config.user_quota_bytes };
        Ok(json_response(StatusCode::OK, &me))
    }
}

/// `GET /users/{username}`
pub struct GetUser<U> {
    pub users: U,
}

impl<U: UserReader + 'static> Handler for GetUser<U> {
    fn access(&self) -> Vec<Access> {
        self.users.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let username = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
        let user = self.users.get_user(&username).await?.ok_or(ApiError::NotFound("user"))?;
        Ok(json_response(StatusCode::OK, &PublicUser::from(&user)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordConfirmation {
    password: String,
}

/// `DELETE /users/{username}`: the user themself, with their password. Queues
/// every video for the sweep, then removes the sessions and the account.
pub struct DeleteUser<S, U, O, V, R, A> {
    pub sessions: S,
    pub users: U,
    pub owned: O,
    pub videos: V,
    pub remover: R,
    pub accounts: A,
    pub config: Config,
}

impl<S, U, O, V, R, A> Handler for DeleteUser<S, U, O, V, R, A>
where
    S: SessionReader + 'static,
    U: UserReader + 'static,
    O: OwnedVideos + 'static,
    V: VideoReader + 'static,
    R: VideoRemover + 'static,
    A: AccountRemover + 'static,
{
    fn access(&self) -> Vec<Access> {
        [
            self.sessions.access(),
            self.users.access(),
            self.owned.access(),
            self.videos.access(),
            self.remover.access(),
            self.accounts.access(),
        ]
        .concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let target = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
        if target != session.username {
            return Err(ApiError::Forbidden("you can only delete your own account"));
        }
        let input: PasswordConfirmation = json_body(&req)?;
        let user = self.users.get_user(&target).await?.ok_or(ApiError::NotFound("user"))?;
        if !verify_password(&input.password, Some(&user.password_hash)) {
            return Err(ApiError::Unauthorized("wrong password"));
        }
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        let mut page = PageRequest { limit: 50, cursor: None };
        loop {
            let listed = self.owned.owned_videos(target.as_str(), &page).await?;
            for video in &listed.items {
                // The index may lag: each video is read and deleted as it is now.
                remove_video(&self.videos, &self.remover, &video.id, target.as_str(), "account_deleted", urls_live_for)
                    .await?;
            }
            match listed.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
        self.accounts.delete_user(&target).await?;
        tracing::info!(username = %target, "account deleted");
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}
