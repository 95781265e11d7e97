//! The password-guess throttle, after OWASP's "device cookies": a device that
//! has signed in before is throttled only on its own failures; everyone else
//! shares a bucket per user name and one per source address. Buckets are
//! fixed windows, so each one is a single counter with a known end.

use super::account::Username;

/// At most `max_failures` failures counted under `key` until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub key: String,
    pub max_failures: u32,
    /// The window's end (epoch seconds); also the item's TTL.
    pub expires_at: i64,
}

#[derive(Clone, Debug)]
pub struct Limits {
    pub per_device: u32,
    pub per_user: u32,
    pub per_address: u32,
    pub window_secs: i64,
}

/// Who is guessing, as far as the server can tell.
pub enum Guesser<'a> {
    /// A device token that is valid for the account being tried (its hash).
    KnownDevice(&'a str),
    /// Anyone else: the name they try and the address API Gateway saw.
    Stranger { username: &'a Username, address: Option<&'a str> },
}

impl Limits {
    /// The buckets an attempt made at `now` counts against.
    pub fn buckets(&self, guesser: &Guesser, now: i64) -> Vec<Bucket> {
        let window = now.div_euclid(self.window_secs);
        let expires_at = (window + 1) * self.window_secs;
        let bucket = |kind: &str, id: &str, max_failures| Bucket {
            key: format!("{kind}#{id}#{window}"),
            max_failures,
            expires_at,
        };
        match guesser {
            Guesser::KnownDevice(hash) => vec![bucket("device", hash, self.per_device)],
            Guesser::Stranger { username, address } => vec![
                bucket("user", username.as_str(), self.per_user),
                bucket("address", address.unwrap_or("unknown"), self.per_address),
            ],
        }
    }

    /// Seconds until the window holding `now` ends.
    pub fn retry_after(&self, now: i64) -> u64 {
        (self.window_secs - now.rem_euclid(self.window_secs)) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits { per_device: 10, per_user: 10, per_address: 100, window_secs: 900 }
    }

    #[test]
    fn a_known_device_has_its_own_bucket_and_a_stranger_shares_two() {
        let alice = Username::parse("alice").unwrap();
        let device = limits().buckets(&Guesser::KnownDevice("abc"), 1_000);
        assert_eq!(device, vec![Bucket { key: "device#abc#1".into(), max_failures: 10, expires_at: 1_800 }]);
        let stranger = Guesser::Stranger { username: &alice, address: Some("192.0.2.1") };
        let keys: Vec<_> = limits().buckets(&stranger, 1_000).into_iter().map(|b| (b.key, b.max_failures)).collect();
        assert_eq!(keys, [("user#alice#1".to_owned(), 10), ("address#192.0.2.1#1".to_owned(), 100)]);
    }

    #[test]
    fn windows_are_fixed_and_retry_after_counts_to_their_end() {
        let alice = Username::parse("alice").unwrap();
        let stranger = Guesser::Stranger { username: &alice, address: None };
        assert_eq!(limits().buckets(&stranger, 1_799)[0].key, "user#alice#1");
        assert_eq!(limits().buckets(&stranger, 1_800)[0].key, "user#alice#2");
        assert_eq!(limits().buckets(&stranger, 0)[1].key, "address#unknown#0");
        assert_eq!(limits().retry_after(1_000), 800);
        assert_eq!(limits().retry_after(1_800), 900);
    }
}
