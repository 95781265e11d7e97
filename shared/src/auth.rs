//! Who is calling: the user name comes from the session, and only from it.

use lambda_http::Request;

use crate::domain::account::{hash_session_token, Session};
use crate::domain::now_epoch;
use crate::error::{ApiError, ApiResult};
use crate::http_io::session_token;
use crate::ports::SessionReader;

/// The caller's live session, or 401 (002).
pub async fn require_session(sessions: &impl SessionReader, req: &Request) -> ApiResult<Session> {
    let token = session_token(req).ok_or(ApiError::Unauthorized("missing session"))?;
    let session = sessions
        .get_session(&hash_session_token(token))
        .await?
        .ok_or(ApiError::Unauthorized("unknown or expired session"))?;
    // TTL deletion lags, so expiry is checked on every read.
    if session.expires_at <= now_epoch() {
        return Err(ApiError::Unauthorized("unknown or expired session"));
    }
    Ok(session)
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
