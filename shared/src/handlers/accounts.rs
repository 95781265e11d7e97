//! Register, log in, log out, `/me` and public profiles.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::guesses::{check_password, known_device};
use super::views::PublicUser;
use super::Handler;
use crate::access::Access;
use crate::auth::{require_account, require_session};
use crate::config::Config;
use crate::domain::account::{
    hash_password, validate_password, verify_password, Device, SecretToken, Session, User, Username,
};
use crate::domain::throttle::Guesser;
use crate::domain::{now_epoch, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, json_response, path_param, source_ip};
use crate::ports::{
    AccountCreator, DeviceReader, GuessThrottle, SessionReader, SessionRevoker, SessionStarter, UserReader,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
    /// From an earlier login on this device: its failures are counted apart.
    #[serde(default)]
    device_token: Option<String>,
    /// "Keep me signed in": a long session instead of a short one.
    #[serde(default)]
    remember: bool,
}

#[derive(Serialize)]
struct SessionCreated {
    session_id: String,
    expires_at: String,
    /// Keep it: a later login that sends it is not held up by strangers' guesses.
    device_token: String,
    user: PublicUser,
}

fn new_session(config: &Config, user: &User, remember: bool, now: i64) -> (SecretToken, Session) {
    let token = SecretToken::generate(&user.username);
    let lifetime_secs = if remember { config.remembered_session_ttl_secs } else { config.session_ttl_secs };
    let session = Session {
        session_hash: token.hash(),
        username: user.username.clone(),
        generation: user.generation.clone(),
        created_at: now,
        expires_at: now + lifetime_secs,
        lifetime_secs,
    };
    (token, session)
}

fn new_device(config: &Config, user: &User, now: i64) -> (SecretToken, Device) {
    let token = SecretToken::generate(&user.username);
    let device = Device {
        device_hash: token.hash(),
        username: user.username.clone(),
        generation: user.generation.clone(),
        created_at: now,
        expires_at: now + config.device_ttl_secs,
    };
    (token, device)
}

fn session_created(token: SecretToken, device_token: String, session: &Session, user: &User) -> Response<Body> {
    let created = SessionCreated {
        session_id: token.0,
        expires_at: rfc3339(session.expires_at),
        device_token,
        user: user.into(),
    };
    json_response(StatusCode::CREATED, &created)
}

/// `POST /users`
pub struct Register<A> {
    pub accounts: A,
    pub config: Config,
}

impl<A: AccountCreator + 'static> Handler for Register<A> {
    fn access(&self) -> Vec<Access> {
        self.accounts.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let input: Credentials = json_body(&req)?;
        let username = Username::parse(&input.username)?;
        validate_password(&input.password)?;
        let now = now_epoch();
        let password_hash = hash_password(&input.password).map_err(|e| ApiError::internal_from("argon2", e))?;
        let user = User::new(username, password_hash, now);
        let (token, session) = new_session(&self.config, &user, input.remember, now);
        let (device_token, device) = new_device(&self.config, &user, now);
        self.accounts.create_account(&user, &session, &device).await?;
        tracing::info!(username = %user.username, "user registered");
        Ok(session_created(token, device_token.0, &session, &user))
    }
}

/// `POST /sessions`
pub struct Login<U, D, S, T> {
    pub users: U,
    pub devices: D,
    pub sessions: S,
    pub throttle: T,
    pub config: Config,
}

impl<U, D, S, T> Handler for Login<U, D, S, T>
where
    U: UserReader + 'static,
    D: DeviceReader + 'static,
    S: SessionStarter + 'static,
    T: GuessThrottle + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.users.access(), self.devices.access(), self.sessions.access(), self.throttle.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        const WRONG: ApiError = ApiError::Unauthorized("wrong username or password");
        let input: Credentials = json_body(&req)?;
        // A name that cannot exist fails like a wrong password.
        let Ok(username) = Username::parse(&input.username) else {
            verify_password(&input.password, None);
            return Err(WRONG);
        };
        let now = now_epoch();
        let user = self.users.get_user(&username).await?;
        let device_token = input.device_token.as_deref();
        let device = known_device(&self.devices, device_token, user.as_ref(), now).await?;
        let address = source_ip(&req, self.config.origin_verify_secret.as_deref());
        let guesser = match &device {
            Some(device) => Guesser::KnownDevice(&device.device_hash),
            None => Guesser::Stranger { username: &username, address: address.as_deref() },
        };
        let limits = self.config.guess_limits();
        // An unknown user is checked against a dummy hash: the same time either way.
        let verified = check_password(&self.throttle, &limits, &guesser, user.as_ref(), &input.password, now).await?;
        let Some(user) = user.filter(|_| verified) else { return Err(WRONG) };
        let (token, session) = new_session(&self.config, &user, input.remember, now);
        let (device_token, added) = match (device, input.device_token) {
            (Some(_), Some(known)) => (known, None),
            _ => {
                let (token, device) = new_device(&self.config, &user, now);
                (token.0, Some(device))
            }
        };
        self.sessions.start_session(&session, added.as_ref()).await?;
        Ok(session_created(token, device_token, &session, &user))
    }
}

/// `DELETE /sessions/current`
pub struct Logout<S> {
    pub sessions: S,
}

impl<S: SessionReader + SessionRevoker + 'static> Handler for Logout<S> {
    fn access(&self) -> Vec<Access> {
        [SessionReader::access(&self.sessions), SessionRevoker::access(&self.sessions)].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        self.sessions.delete_session(&session.session_hash).await?;
        Ok(empty_response(StatusCode::NO_CONTENT))
    }
}

/// `GET /me`: the user, and their storage against the quota.
pub struct Me<S> {
    pub sessions: S,
    pub config: Config,
}

#[derive(Serialize)]
struct MeView {
    #[serde(flatten)]
    user: PublicUser,
    used_bytes: u64,
    quota_bytes: u64,
}

impl<S: SessionReader + 'static> Handler for Me<S> {
    fn access(&self) -> Vec<Access> {
        self.sessions.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        // The session's read brings its user along.
        let (_, user) = require_account(&self.sessions, &req).await?;
        let me =
            MeView { user: (&user).into(), used_bytes: user.used_bytes, quota_bytes: self.config.user_quota_bytes };
        Ok(json_response(StatusCode::OK, &me))
    }
}

/// `GET /users/{username}`
pub struct GetUser<U> {
    pub users: U,
}

impl<U: UserReader + 'static> Handler for GetUser<U> {
    fn access(&self) -> Vec<Access> {
        self.users.access()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let username = Username::parse(&path_param(&req, "username")?).map_err(|_| ApiError::NotFound("user"))?;
        let user = self.users.get_user(&username).await?.ok_or(ApiError::NotFound("user"))?;
        Ok(json_response(StatusCode::OK, &PublicUser::from(&user)))
    }
}
