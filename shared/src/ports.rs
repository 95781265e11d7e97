//! Ports: what the handlers need from storage, as traits. The DynamoDB and S3
//! adapters in `store` implement them.

use async_trait::async_trait;

use crate::domain::account::{LoginFailures, Session, User, Username};
use crate::error::ApiResult;

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn get_user(&self, username: &Username) -> ApiResult<Option<User>>;
    /// Creates a user and its first session in one transaction.
    /// A taken name is `ApiError::Conflict`.
    async fn create_user_with_session(&self, user: &User, session: &Session) -> ApiResult<()>;

    async fn put_session(&self, session: &Session) -> ApiResult<()>;
    async fn get_session(&self, session_hash: &str) -> ApiResult<Option<Session>>;
    async fn delete_session(&self, session_hash: &str) -> ApiResult<()>;

    async fn get_login_failures(&self, username: &Username) -> ApiResult<Option<LoginFailures>>;
    /// Counts one failed login, starting a new window if the current one has passed.
    async fn record_login_failure(&self, username: &Username, now: i64, window_secs: i64) -> ApiResult<()>;
    async fn clear_login_failures(&self, username: &Username) -> ApiResult<()>;
}
