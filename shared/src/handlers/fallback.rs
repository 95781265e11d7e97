//! Unrouted requests: 405 on a known path, 404 elsewhere, in the error model.

use lambda_http::{Body, Request, Response};

use super::Handler;
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::routes::allowed_methods;

/// Any method, any path that no route claims. Touches no storage.
pub struct Fallback;

impl Handler for Fallback {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let allowed = allowed_methods(req.uri().path());
        if allowed.is_empty() || allowed.contains(&req.method().as_str()) {
            Err(ApiError::NotFound("route"))
        } else {
            Err(ApiError::MethodNotAllowed { allow: allowed.join(", ") })
        }
    }
}
