//! The error model. `ApiError` is the only error a handler returns, and
//! `ApiError::into_response` is the only place that turns one into HTTP.
//! Storage and internal errors keep their cause for the log; the client
//! sees only the code and a safe message.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::domain::Invalid;
use crate::http_io::json_response;

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 001: malformed JSON or a failed validation; the message names the field.
    #[error("{0}")]
    BadRequest(String),
    /// 002: missing, unknown or expired session, or wrong credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 003: DynamoDB or S3 failed or throttled.
    #[error("storage unavailable")]
    Unavailable {
        /// The storage call that failed, e.g. `GetItem sessions`.
        operation: String,
        #[source]
        source: BoxError,
    },
    /// 004: a bug.
    #[error("internal error")]
    Internal {
        what: String,
        #[source]
        source: Option<BoxError>,
    },
    /// 005
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 006
    #[error("{0}")]
    Conflict(&'static str),
    /// 007
    #[error("{0}")]
    Forbidden(&'static str),
    /// 008
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 009: with the seconds to put in Retry-After.
    #[error("too many attempts, try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// 010: an upload that is missing, of the wrong size, or not a video.
    #[error("{0}")]
    InvalidUpload(String),
    /// 011
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 012: 405, with the methods the path does accept.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    /// 013: the upload would take the user over their storage quota.
    #[error("this upload needs {needed} bytes, more than is left of your {quota}-byte quota")]
    QuotaExceeded { needed: u64, quota: u64 },
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: String,
    error_code: &'a str,
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(message.into())
    }

    pub fn unavailable(operation: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ApiError::Unavailable { operation: operation.into(), source: source.into() }
    }

    pub fn internal(what: impl Into<String>) -> Self {
        ApiError::Internal { what: what.into(), source: None }
    }

    pub fn internal_from(what: impl Into<String>, source: impl Into<BoxError>) -> Self {
        ApiError::Internal { what: what.into(), source: Some(source.into()) }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::InvalidUpload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::QuotaExceeded { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "001",
            ApiError::Unauthorized(_) => "002",
            ApiError::Unavailable { .. } => "003",
            ApiError::Internal { .. } => "004",
            ApiError::NotFound(_) => "005",
            ApiError::Conflict(_) => "006",
            ApiError::Forbidden(_) => "007",
            ApiError::PayloadTooLarge(_) => "008",
            ApiError::TooManyRequests { .. } => "009",
            ApiError::InvalidUpload(_) => "010",
            ApiError::UnsupportedMediaType(_) => "011",
            ApiError::MethodNotAllowed { .. } => "012",
            ApiError::QuotaExceeded { .. } => "013",
        }
    }

    /// For the log: what failed and the whole chain of causes.
    pub fn cause(&self) -> String {
        let mut text = match self {
            ApiError::Unavailable { operation, .. } => format!("storage call {operation} failed"),
            ApiError::Internal { what, .. } => what.clone(),
            other => other.to_string(),
        };
        let mut source = std::error::Error::source(self);
        while let Some(err) = source {
            text.push_str(": ");
            text.push_str(&err.to_string());
            source = err.source();
        }
        text
    }

    /// The one mapping from an error to an HTTP response.
    pub fn into_response(self) -> Response<Body> {
        let body = ErrorBody { error: self.to_string(), error_code: self.code() };
        let mut response = json_response(self.status(), &body);
        let headers = response.headers_mut();
        match &self {
            ApiError::TooManyRequests { retry_after_secs } => {
                headers.insert(http::header::RETRY_AFTER, (*retry_after_secs).into());
            }
            ApiError::MethodNotAllowed { allow } => {
                if let Ok(value) = allow.parse() {
                    headers.insert(http::header::ALLOW, value);
                }
            }
            _ => {}
        }
        response
    }
}

/// A failed validation is the client's mistake.
impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::BadRequest(invalid.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_maps_to_its_status_code_and_json_body() {
        let cases = [
            (ApiError::bad_request("invalid field `x`"), 400, "001"),
            (ApiError::Unauthorized("missing session"), 401, "002"),
            (ApiError::unavailable("GetItem sessions", "connection refused"), 503, "003"),
            (ApiError::internal("bug"), 500, "004"),
            (ApiError::NotFound("video"), 404, "005"),
            (ApiError::Conflict("taken"), 409, "006"),
            (ApiError::Forbidden("not yours"), 403, "007"),
            (ApiError::PayloadTooLarge("too big".into()), 413, "008"),
            (ApiError::TooManyRequests { retry_after_secs: 42 }, 429, "009"),
            (ApiError::InvalidUpload("not a video".into()), 422, "010"),
            (ApiError::UnsupportedMediaType("image/gif".into()), 415, "011"),
            (ApiError::MethodNotAllowed { allow: "GET, POST".into() }, 405, "012"),
            (ApiError::QuotaExceeded { needed: 10, quota: 100 }, 413, "013"),
        ];
        for (error, status, code) in cases {
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(response.headers()["content-type"], "application/json");
            let body: serde_json::Value = serde_json::from_slice(response.body().as_ref()).unwrap();
            assert_eq!(body["error_code"], code);
            let message = body["error"].as_str().unwrap();
            assert!(!message.is_empty());
            // Internal details never reach the client.
            assert!(!message.contains("connection refused") && !message.contains("bug"), "{message}");
        }
    }

    #[test]
    fn the_cause_keeps_the_operation_and_the_whole_chain() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let err = ApiError::unavailable("GetItem sessions", io);
        assert_eq!(err.cause(), "storage call GetItem sessions failed: connection refused");
        assert_eq!(
            ApiError::internal("route is missing path parameter id").cause(),
            "route is missing path parameter id"
        );
    }

    #[test]
    fn a_failed_validation_is_a_400() {
        let invalid = Invalid { field: "limit", rule: "use 1-50".into() };
        let err = ApiError::from(invalid);
        assert_eq!((err.status().as_u16(), err.code()), (400, "001"));
        assert_eq!(err.to_string(), "invalid field `limit`: use 1-50");
    }

    #[test]
    fn retry_after_and_allow_headers_are_set() {
        let response = ApiError::TooManyRequests { retry_after_secs: 42 }.into_response();
        assert_eq!(response.headers()["retry-after"], "42");
        let response = ApiError::MethodNotAllowed { allow: "GET, POST".into() }.into_response();
        assert_eq!(response.headers()["allow"], "GET, POST");
    }
}
