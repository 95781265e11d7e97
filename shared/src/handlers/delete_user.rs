//! `DELETE /users/{username}`: the user themself, with their password, under
//! the same throttle as login. Final: the account's videos go at once, every
//! session and device token stops working at once, and the name stays taken
//! until the sweep has purged everything else the account left (its comments
//! on anyone's videos, stray videos, sessions).

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use super::guesses::{check_password, known_device};
use super::videos::remove_video;
use super::Handler;
use crate::access::Access;
use crate::auth::require_account;
use crate::config::Config;
use crate::domain::account::Username;
use crate::domain::now_epoch;
use crate::domain::page::PageRequest;
use crate::domain::throttle::Guesser;
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, path_param, source_ip};
use crate::ports::{AccountCloser, DeviceReader, GuessThrottle, OwnedVideos, SessionReader, VideoReader, VideoRemover};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordConfirmation {
    password: String,
    #[serde(default)]
    device_token: Option<String>,
}

pub struct DeleteUser<S, D, T, O, V, R, A> {
    pub sessions: S,
    pub devices: D,
    pub throttle: T,
    pub owned: O,
    pub videos: V,
    pub remover: R,
    pub accounts: A,
    pub config: Config,
}

impl<S, D, T, O, V, R, A> Handler for DeleteUser<S, D, T, O, V, R, A>
where
    S: SessionReader + 'static,
    D: DeviceReader + 'static,
    T: GuessThrottle + 'static,
    O: OwnedVideos + 'static,
    V: VideoReader + 'static,
    R: VideoRemover + 'static,
    A: AccountCloser + 'static,
{
    fn access(&self) -> Vec<Access> {
        [
            self.sessions.access(),
            self.devices.access(),
            self.throttle.access(),
            self.owned.access(),
            self.videos.access(),
            self.remover.access(),
            self.accounts.access(),
        ]
        .concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let (session, user) = require_account(&self.sessions, &req).await?;
        let target = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
        if target != session.username {
            return Err(ApiError::Forbidden("you can only delete your own account"));
        }
        let input: PasswordConfirmation = json_body(&req)?;
        let now = now_epoch();
        let device = known_device(&self.devices, input.device_token.as_deref(), Some(&user), now).await?;
        let address = source_ip(&req, self.config.origin_verify_secret.as_deref());
        let guesser = match &device {
            Some(device) => Guesser::KnownDevice(&device.device_hash),
            None => Guesser::Stranger { username: &target, address: address.as_deref() },
        };
        let limits = self.config.guess_limits();
        if !check_password(&self.throttle, &limits, &guesser, Some(&user), &input.password, now).await? {
            return Err(ApiError::Unauthorized("wrong password"));
        }
        self.remove_videos(&target).await?;
        // A concurrent deletion that got there first has done the same.
        self.accounts.close_account(&user, now, now + self.config.account_purge_delay_secs).await?;
        tracing::info!(username = %target, "account deleted");
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}

impl<S, D, T, O: OwnedVideos, V: VideoReader, R: VideoRemover, A> DeleteUser<S, D, T, O, V, R, A> {
    /// Every video the owner index lists, gone from every read at once. One
    /// the index does not show yet is left to the sweep's purge.
    async fn remove_videos(&self, owner: &Username) -> ApiResult<()> {
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        let mut page = PageRequest { limit: 50, cursor: None };
        loop {
            let listed = self.owned.owned_videos(owner.as_str(), &page).await?;
            for video in &listed.items {
                // The index may lag: each video is read and deleted as it is now.
                remove_video(&self.videos, &self.remover, &video.id, owner.as_str(), "account_deleted", urls_live_for)
                    .await?;
            }
            match listed.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => return Ok(()),
            }
        }
    }
}
