//! Register, log in, log out, `/me` and public profiles.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::require_session;
use crate::domain::account::{
    hash_password, validate_password, verify_password, PublicUser, Session, SessionToken, User, Username,
};
use crate::domain::video::{DeletionRecord, PageRequest};
use crate::domain::{now_epoch, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, json_response, path_param};

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

fn new_session(app: &App, username: &Username, now: i64) -> (SessionToken, Session) {
    let token = SessionToken::generate();
    let session = Session {
        session_hash: token.hash(),
        username: username.clone(),
        created_at: now,
        expires_at: now + app.config.session_ttl_secs,
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
pub async fn register(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let input: Credentials = json_body(&req)?;
    let username = Username::parse(&input.username)?;
    validate_password(&input.password)?;
    let now = now_epoch();
    let user = User { username: username.clone(), password_hash: hash_password(&input.password)?, created_at: now };
    let (token, session) = new_session(app, &username, now);
    app.accounts.create_user_with_session(&user, &session).await?;
    tracing::info!(username = %username, "user registered");
    Ok(session_created(token, &session, &user))
}

/// `POST /sessions`
pub async fn login(app: &App, req: Request) -> ApiResult<Response<Body>> {
    const WRONG: ApiError = ApiError::Unauthorized("wrong username or password");
    let input: Credentials = json_body(&req)?;
    // A name that cannot exist fails like a wrong password.
    let Ok(username) = Username::parse(&input.username) else {
        verify_password(&input.password, None);
        return Err(WRONG);
    };
    let now = now_epoch();
    let window = app.config.login_window_secs;
    let failures = app.accounts.get_login_failures(&username).await?;
    if let Some(failures) = &failures {
        let window_ends = failures.window_start + window;
        if failures.failures >= app.config.login_max_failures && window_ends > now {
            return Err(ApiError::TooManyRequests { retry_after_secs: (window_ends - now) as u64 });
        }
    }
    let user = app.accounts.get_user(&username).await?;
    if !verify_password(&input.password, user.as_ref().map(|u| u.password_hash.as_str())) {
        app.accounts.record_login_failure(&username, now, window).await?;
        return Err(WRONG);
    }
    let user = user.expect("verify_password fails for an unknown user");
    if failures.is_some() {
        app.accounts.clear_login_failures(&username).await?;
    }
    let (token, session) = new_session(app, &username, now);
    app.accounts.put_session(&session).await?;
    Ok(session_created(token, &session, &user))
}

/// `DELETE /sessions/current`
pub async fn logout(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    app.accounts.delete_session(&session.session_hash).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

/// `GET /me`
pub async fn me(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let user = app
        .accounts
        .get_user(&session.username)
        .await?
        .ok_or(ApiError::Unauthorized("unknown or expired session"))?;
    Ok(json_response(StatusCode::OK, &PublicUser::from(&user)))
}

/// `GET /users/{username}`
pub async fn get_user(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let raw = path_param(&req, "username")?;
    let username = Username::parse(&raw).map_err(|_| ApiError::NotFound("user"))?;
    let user = app.accounts.get_user(&username).await?.ok_or(ApiError::NotFound("user"))?;
    Ok(json_response(StatusCode::OK, &PublicUser::from(&user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordConfirmation {
    password: String,
}

/// `DELETE /users/{username}`: the user themself, with their password. Queues
/// every video for the sweep, then removes the sessions and the account.
pub async fn delete_user(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let target = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
    if target != session.username {
        return Err(ApiError::Forbidden("you can only delete your own account"));
    }
    let input: PasswordConfirmation = json_body(&req)?;
    let user = app.accounts.get_user(&target).await?.ok_or(ApiError::NotFound("user"))?;
    if !verify_password(&input.password, Some(&user.password_hash)) {
        return Err(ApiError::Unauthorized("wrong password"));
    }
    let now = now_epoch();
    let everything = PageRequest { limit: 50, cursor: None };
    loop {
        // Each delete removes the video from the owner index, so page one is always next.
        let page = app.videos.list_by_owner(target.as_str(), true, &everything).await?;
        if page.items.is_empty() {
            break;
        }
        for video in &page.items {
            let record = DeletionRecord::for_video(&video.id, "account_deleted", now);
            app.videos.delete_video(&video.id, target.as_str(), &record).await?;
        }
    }
    app.accounts.delete_user(&target).await?;
    tracing::info!(username = %target, "account deleted");
    Ok(empty_response(StatusCode::NO_CONTENT))
}
