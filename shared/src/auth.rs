//! Who is calling: the user name comes from the session, and only from it.

use lambda_http::Request;

use crate::domain::account::{parse_token, Session, User};
use crate::domain::now_epoch;
use crate::error::{ApiError, ApiResult};
use crate::http_io::session_token;
use crate::ports::SessionReader;

const NO_SESSION: ApiError = ApiError::Unauthorized("unknown or expired session");

/// The caller's live session and its user, or 401 (002). One read: a session
/// of a deleted account, or of an earlier holder of the name, never works.
pub async fn require_account(sessions: &impl SessionReader, req: &Request) -> ApiResult<(Session, User)> {
    let token = session_token(req).ok_or(ApiError::Unauthorized("missing session"))?;
    let (username, hash) = parse_token(token).ok_or(NO_SESSION)?;
    let (session, user) = sessions.get_session(&username, &hash).await?;
    let (Some(session), Some(user)) = (session, user) else { return Err(NO_SESSION) };
    // TTL deletion lags, so expiry is checked on every read.
    let now = now_epoch();
    if !session.is_valid_for(&user, now) {
        return Err(NO_SESSION);
    }
    let mut session = session;
    if let Some(extended) = session.extended_expiry(now) {
        sessions.extend_session(&session.session_hash, session.expires_at, extended).await?;
        session.expires_at = extended;
    }
    Ok((session, user))
}

/// The caller's live session, or 401 (002).
pub async fn require_session(sessions: &impl SessionReader, req: &Request) -> ApiResult<Session> {
    require_account(sessions, req).await.map(|(session, _)| session)
}

/// The caller's session if it sent one; anonymous if it sent no credentials at
/// all. Credentials that are sent but invalid are a 401, never anonymity.
pub async fn optional_session(sessions: &impl SessionReader, req: &Request) -> ApiResult<Option<Session>> {
    let headers = req.headers();
    if !headers.contains_key(http::header::AUTHORIZATION) && !headers.contains_key("x-session-id") {
        return Ok(None);
    }
    require_session(sessions, req).await.map(Some)
}
