//! Users, sessions, devices and the password-guess throttle.

use std::future::Future;

use crate::access::Access;
use crate::domain::account::{Device, Session, User, Username};
use crate::domain::throttle::Bucket;
use crate::error::ApiResult;

pub trait UserReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// A live user: a deleted account's name reads as no user.
    fn get_user(&self, username: &Username) -> impl Future<Output = ApiResult<Option<User>>> + Send;
}

pub trait AccountCreator: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Creates a user, its first session and its device in one transaction.
    /// A taken name (a deleted one not yet purged included) is `ApiError::Conflict`.
    fn create_account(
        &self,
        user: &User,
        session: &Session,
        device: &Device,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait SessionReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The session and its user as they are now, in one consistent read.
    fn get_session(
        &self,
        username: &Username,
        session_hash: &str,
    ) -> impl Future<Output = ApiResult<(Option<Session>, Option<User>)>> + Send;
    /// Moves a session's expiry from `from` to `to`, if no other request did
    /// first: a session in use stays alive.
    fn extend_session(&self, session_hash: &str, from: i64, to: i64) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait SessionStarter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Stores a session, and the device it came from when that is new, in one write.
    fn start_session(
        &self,
        session: &Session,
        new_device: Option<&Device>,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait SessionRevoker: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn delete_session(&self, session_hash: &str) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait DeviceReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    fn get_device(&self, device_hash: &str) -> impl Future<Output = ApiResult<Option<Device>>> + Send;
}

/// Counters of failed password checks, reserved before each check.
pub trait GuessThrottle: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Counts one failure in `bucket` if it has room, atomically; false if full.
    fn reserve(&self, bucket: &Bucket) -> impl Future<Output = ApiResult<bool>> + Send;
    /// Takes a reservation back: the password was right.
    fn release(&self, bucket: &Bucket) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait AccountCloser: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Marks the account deleted (its sessions and devices die with it) and
    /// queues it for the sweep's purge. False if it is not as read.
    fn close_account(&self, user: &User, now: i64, purge_after: i64) -> impl Future<Output = ApiResult<bool>> + Send;
}

/// Deleted accounts and what they left behind, for the sweep. Each call does
/// one page, so a run can stop between any two.
pub trait AccountPurger: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Deleted accounts whose purge is due at `now`.
    fn due_purges(&self, now: i64, limit: u32) -> impl Future<Output = ApiResult<Vec<User>>> + Send;
    /// Deletes a page of the comments `author` wrote, on anyone's videos; how many (0: none left).
    fn delete_comments_by(&self, author: &Username) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Takes back a page of the likes `username` gave (each like and its
    /// video's count in one transaction); how many (0: none left).
    fn take_back_likes_of(&self, username: &Username) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Deletes a page of `username`'s sessions; how many (0: none left).
    fn delete_sessions_of(&self, username: &Username) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Deletes a page of the follows `username` made; how many (0: none left).
    fn delete_follows_by(&self, username: &Username) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Deletes a page of the follows of `username`, each with its follower's
    /// count down by one; how many (0: none left).
    fn delete_follows_of(&self, username: &Username) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Frees the name: deletes the closed account's item, if it is still the one read.
    fn forget_account(&self, user: &User) -> impl Future<Output = ApiResult<()>> + Send;
}
