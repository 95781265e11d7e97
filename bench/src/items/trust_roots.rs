//! Part of item 2: what the TLS trust roots cost at startup. The functions build
//! their rustls root store from the compiled-in Mozilla roots (webpki-roots,
//! shared/src/store/http_client.rs); the SDK's default HTTPS client loads the
//! system bundle with rustls-native-certs when a client is constructed. Both are
//! timed in-process, alternating, on the bench's own machine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rustls::RootCertStore;

use crate::report::Table;
use crate::stats::{ms, ratio, Samples};
use crate::Result;

const WARMUP: usize = 5;

pub struct Roots {
    pub runs: usize,
    /// Build times in ms.
    pub compiled_in: Samples,
    pub system: Samples,
    /// Trust anchors in each store.
    pub compiled_in_roots: usize,
    pub system_roots: usize,
    /// Certificates rustls-native-certs read, and the errors it reported.
    pub system_certificates: usize,
    pub system_errors: usize,
}

/// What the functions do: the roots are already trust anchors, nothing is parsed.
fn compiled_in() -> (Duration, usize) {
    let started = Instant::now();
    let store = black_box(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() });
    (started.elapsed(), store.len())
}

/// What the SDK's default HTTPS client does: read the system bundle (file and
/// directories, as openssl-probe finds them), then parse every certificate.
fn system() -> (Duration, usize, usize, usize) {
    let started = Instant::now();
    let loaded = rustls_native_certs::load_native_certs();
    let certificates = loaded.certs.len();
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(loaded.certs);
    let store = black_box(store);
    (started.elapsed(), store.len(), certificates, loaded.errors.len())
}

/// `runs` of each after a few unrecorded ones, the order flipped every run.
pub async fn measure(runs: usize) -> Result<Roots> {
    Ok(tokio::task::spawn_blocking(move || {
        let mut roots = Roots {
            runs,
            compiled_in: Samples::default(),
            system: Samples::default(),
            compiled_in_roots: 0,
            system_roots: 0,
            system_certificates: 0,
            system_errors: 0,
        };
        for i in 0..WARMUP + runs {
            let (a, b) = if i % 2 == 0 {
                (compiled_in(), system())
            } else {
                let b = system();
                (compiled_in(), b)
            };
            if i >= WARMUP {
                roots.compiled_in.push(a.0);
                roots.system.push(b.0);
            }
            (roots.compiled_in_roots, roots.system_roots, roots.system_certificates, roots.system_errors) =
                (a.1, b.1, b.2, b.3);
        }
        roots
    })
    .await?)
}

/// Microseconds for times below a millisecond, else milliseconds.
fn us(value: f64) -> String {
    if value.is_nan() {
        "–".into()
    } else if value < 0.1 {
        format!("{:.1} µs", value * 1000.0)
    } else if value < 1.0 {
        format!("{:.0} µs", value * 1000.0)
    } else {
        format!("{} ms", ms(value))
    }
}

/// A ratio, without decimals once it is large.
fn times(value: f64) -> String {
    if value.is_finite() && value >= 100.0 {
        format!("{value:.0}×")
    } else {
        ratio(value)
    }
}

impl Roots {
    /// The system bundle's median over the compiled-in roots'.
    pub fn ratio(&self) -> f64 {
        self.system.median() / self.compiled_in.median()
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(&["trust roots", "built with", "roots in the store", "p50", "p99", "p50 ratio"]);
        table.row(vec![
            "compiled in (`webpki-roots`): what the functions do".into(),
            "`RootCertStore { roots: TLS_SERVER_ROOTS.to_vec() }`".into(),
            self.compiled_in_roots.to_string(),
            us(self.compiled_in.median()),
            us(self.compiled_in.percentile(99.0)),
            "1×".into(),
        ]);
        table.row(vec![
            "system bundle (`rustls-native-certs`): what the SDK's default HTTPS client does".into(),
            "`load_native_certs()` + `RootCertStore::add_parsable_certificates`".into(),
            format!(
                "{} (of {} certificates read, {} errors)",
                self.system_roots, self.system_certificates, self.system_errors
            ),
            us(self.system.median()),
            us(self.system.percentile(99.0)),
            times(self.ratio()),
        ]);
        table
    }

    /// The finding in one line.
    pub fn note(&self) -> String {
        format!(
            "Trust roots: building the store from the compiled-in roots takes {} at p50, loading and parsing the \
             system bundle {} ({} as long). The SDK's default HTTPS client loads the bundle once per process and \
             builds a store from it for each connector it makes (at least once per client), during init when the \
             client is constructed; the functions' shared HTTP client never reads it.",
            us(self.compiled_in.median()),
            us(self.system.median()),
            times(self.ratio()),
        )
    }

    pub fn caption(&self) -> String {
        let var = |name: &str| std::env::var(name).map(|v| format!("`{v}`")).unwrap_or_else(|_| "unset".into());
        format!(
            "Trust roots: building the TLS root store in-process, {} runs of each alternating (after {WARMUP} \
             unrecorded), on this machine's bundle (`SSL_CERT_FILE` {}, `SSL_CERT_DIR` {}), page cache warm.",
            self.runs,
            var("SSL_CERT_FILE"),
            var("SSL_CERT_DIR"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn both_stores_are_built_and_reported() {
        let roots = measure(3).await.unwrap();
        assert_eq!(roots.compiled_in_roots, webpki_roots::TLS_SERVER_ROOTS.len());
        assert_eq!((roots.compiled_in.len(), roots.system.len()), (3, 3));
        let table = roots.table().markdown();
        assert_eq!(table.lines().count(), 4, "{table}");
        println!("{}\n\n{table}\n{}", roots.caption(), roots.note());
    }
}
