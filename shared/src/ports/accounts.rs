//! Users, sessions and the login throttle.

use std::future::Future;

use crate::access::Access;
use crate::domain::account::{LoginFailures, Session, User, Username};
use crate::error::ApiResult;

pub trait UserReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn get_user(&self, username: &Username) -> impl Future<Output = ApiResult<Option<User>>> + Send;
}

pub trait AccountCreator: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Creates a user and its first session in one transaction.
    /// A taken name is `ApiError::Conflict`.
    fn create_user_with_session(&self, user: &User, session: &Session) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait SessionReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn get_session(&self, session_hash: &str) -> impl Future<Output = ApiResult<Option<Session>>> + Send;
}

pub trait SessionWriter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn put_session(&self, session: &Session) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait SessionRevoker: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn delete_session(&self, session_hash: &str) -> impl Future<Output = ApiResult<()>> + Send;
}

/// Failed logins per user name, in a window.
pub trait LoginThrottle: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn get_login_failures(&self, username: &Username) -> impl Future<Output = ApiResult<Option<LoginFailures>>> + Send;
    /// Counts one failed login, starting a new window if the current one has passed.
    fn record_login_failure(
        &self,
        username: &Username,
        now: i64,
        window_secs: i64,
    ) -> impl Future<Output = ApiResult<()>> + Send;
    fn clear_login_failures(&self, username: &Username) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait AccountRemover: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Deletes every session of a user, then the user.
    fn delete_user(&self, username: &Username) -> impl Future<Output = ApiResult<()>> + Send;
}
