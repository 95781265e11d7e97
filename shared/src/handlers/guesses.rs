//! Password checks that count failures, for login and account deletion. The
//! throttle's rules live in `domain::throttle`.

use crate::domain::account::{parse_token, verify_password, Device, User};
use crate::domain::throttle::{Bucket, Guesser, Limits};
use crate::error::{ApiError, ApiResult};
use crate::ports::{DeviceReader, GuessThrottle};

/// The device a presented device token stands for, if it is one of `user`'s.
pub(crate) async fn known_device(
    devices: &impl DeviceReader,
    token: Option<&str>,
    user: Option<&User>,
    now: i64,
) -> ApiResult<Option<Device>> {
    let (Some((_, hash)), Some(user)) = (token.and_then(parse_token), user) else { return Ok(None) };
    let device = devices.get_device(&hash).await?;
    Ok(device.filter(|device| device.is_valid_for(user, now)))
}

/// Checks `password` against `user` (None: no such user) as `guesser` would.
/// A failure is counted before the check, so parallel guesses cannot pass the
/// limit; a right password takes it back. A full bucket is a 429 (009).
pub(crate) async fn check_password(
    throttle: &impl GuessThrottle,
    limits: &Limits,
    guesser: &Guesser<'_>,
    user: Option<&User>,
    password: &str,
    now: i64,
) -> ApiResult<bool> {
    let buckets = limits.buckets(guesser, now);
    if !reserve_all(throttle, &buckets).await? {
        tracing::info!(buckets = buckets.len(), "password guess throttled");
        crate::metrics::login_throttled();
        return Err(ApiError::TooManyRequests { retry_after_secs: limits.retry_after(now) });
    }
    let verified = verify_password(password, user.map(|u| u.password_hash.as_str()));
    if verified {
        for_each(&buckets, |bucket| throttle.release(bucket)).await?;
    }
    Ok(verified)
}

/// A failure reserved in every bucket, or in none: a bucket reserved while
/// another was full is given back.
async fn reserve_all(throttle: &impl GuessThrottle, buckets: &[Bucket]) -> ApiResult<bool> {
    let reserved = for_each(buckets, |bucket| throttle.reserve(bucket)).await?;
    if reserved.iter().all(|ok| *ok) {
        return Ok(true);
    }
    let taken: Vec<Bucket> = buckets.iter().zip(&reserved).filter(|(_, ok)| **ok).map(|(b, _)| b.clone()).collect();
    for_each(&taken, |bucket| throttle.release(bucket)).await?;
    Ok(false)
}

/// `call` on each bucket, two at a time in parallel (an attempt has one or two).
async fn for_each<'a, T, F>(buckets: &'a [Bucket], call: impl Fn(&'a Bucket) -> F) -> ApiResult<Vec<T>>
where
    F: std::future::Future<Output = ApiResult<T>>,
{
    let mut results = Vec::with_capacity(buckets.len());
    for pair in buckets.chunks(2) {
        match pair {
            [a, b] => {
                let (x, y) = tokio::try_join!(call(a), call(b))?;
                results.extend([x, y]);
            }
            [a] => results.push(call(a).await?),
            _ => {}
        }
    }
    Ok(results)
}
