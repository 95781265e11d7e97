//! The error model. `ApiError` is the only error a handler returns, and
//! `ApiError::into_response` is the only place that turns one into HTTP.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;

use crate::http_io::json_response;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 001: malformed JSON or a failed validation; the message names the field.
    #[error("{0}")]
    BadRequest(String),
    /// 002: missing, unknown or expired session, or wrong credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 003: DynamoDB or S3 failed or throttled. The detail is logged, not sent.
    #[error("storage unavailable")]
    Unavailable(String),
    /// 004: a bug. The detail is logged, not sent.
    #[error("internal error")]
    Internal(String),
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
    /// 405, with the methods the path does accept.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
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

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::InvalidUpload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "001",
            ApiError::Unauthorized(_) => "002",
            ApiError::Unavailable(_) => "003",
            ApiError::Internal(_) => "004",
            ApiError::NotFound(_) => "005",
            ApiError::Conflict(_) => "006",
            ApiError::Forbidden(_) => "007",
            ApiError::PayloadTooLarge(_) => "008",
            ApiError::TooManyRequests { .. } => "009",
            ApiError::InvalidUpload(_) => "010",
            ApiError::UnsupportedMediaType(_) => "011",
            ApiError::MethodNotAllowed { .. } => "012",
        }
    }

    /// The one mapping from an error to an HTTP response.
    pub fn into_response(self) -> Response<Body> {
        match &self {
            ApiError::Unavailable(detail) => tracing::warn!(error = %detail, "storage unavailable"),
            ApiError::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            _ => {}
        }
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

/// Any failed SDK call that the adapter did not interpret is a storage fault.
impl<E, R> From<aws_sdk_dynamodb::error::SdkError<E, R>> for ApiError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    fn from(err: aws_sdk_dynamodb::error::SdkError<E, R>) -> Self {
        ApiError::Unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(&err).to_string())
    }
}

impl From<serde_dynamo::Error> for ApiError {
    fn from(err: serde_dynamo::Error) -> Self {
        ApiError::Internal(format!("item (de)serialisation: {err}"))
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
            (ApiError::Unavailable("dynamodb: connection refused".into()), 503, "003"),
            (ApiError::Internal("bug".into()), 500, "004"),
            (ApiError::NotFound("video"), 404, "005"),
            (ApiError::Conflict("taken"), 409, "006"),
            (ApiError::Forbidden("not yours"), 403, "007"),
            (ApiError::PayloadTooLarge("too big".into()), 413, "008"),
            (ApiError::TooManyRequests { retry_after_secs: 42 }, 429, "009"),
            (ApiError::InvalidUpload("not a video".into()), 422, "010"),
            (ApiError::UnsupportedMediaType("image/gif".into()), 415, "011"),
            (ApiError::MethodNotAllowed { allow: "GET, POST".into() }, 405, "012"),
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
    fn retry_after_and_allow_headers_are_set() {
        let response = ApiError::TooManyRequests { retry_after_secs: 42 }.into_response();
        assert_eq!(response.headers()["retry-after"], "42");
        let response = ApiError::MethodNotAllowed { allow: "GET, POST".into() }.into_response();
        assert_eq!(response.headers()["allow"], "GET, POST");
    }
}
