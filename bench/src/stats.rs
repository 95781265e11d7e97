//! Percentiles and the number formats the report uses.

use std::time::Duration;

/// Samples in milliseconds.
#[derive(Clone, Debug, Default)]
pub struct Samples(Vec<f64>);

impl Samples {
    pub fn push(&mut self, elapsed: Duration) {
        self.0.push(elapsed.as_secs_f64() * 1000.0);
    }

    /// A sample that is not a time (a count), or a time already in milliseconds.
    pub fn push_ms(&mut self, ms: f64) {
        self.0.push(ms);
    }

    pub fn values(&self) -> &[f64] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn extend(&mut self, other: &Samples) {
        self.0.extend_from_slice(&other.0);
    }

    /// Nearest-rank percentile, `p` in 0..=100; NaN when empty.
    pub fn percentile(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
        sorted[rank.min(sorted.len()) - 1]
    }

    pub fn median(&self) -> f64 {
        self.percentile(50.0)
    }
}

/// Milliseconds with precision that suits their size: 0.412, 3.61, 27.4, 1234.
pub fn ms(value: f64) -> String {
    if value.is_nan() {
        "–".into()
    } else if value < 1.0 {
        format!("{value:.3}")
    } else if value < 10.0 {
        format!("{value:.2}")
    } else if value < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

/// A ratio such as `1.07×`.
pub fn ratio(value: f64) -> String {
    if value.is_nan() || value.is_infinite() {
        "–".into()
    } else {
        format!("{value:.2}×")
    }
}

/// A dollar amount with three significant digits (or more for small ones).
pub fn usd(value: f64) -> String {
    if value == 0.0 {
        "$0".into()
    } else if value >= 100.0 {
        format!("${value:.0}")
    } else if value >= 1.0 {
        format!("${value:.2}")
    } else {
        let digits = (-value.log10()).ceil() as usize + 2;
        format!("${value:.digits$}")
    }
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// A yes/no verdict for a goal.
pub fn verdict(met: bool) -> &'static str {
    if met {
        "**met**"
    } else {
        "**not met**"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut s = Samples::default();
        for v in 1..=100 {
            s.push_ms(v as f64);
        }
        assert_eq!(s.median(), 50.0);
        assert_eq!(s.percentile(99.0), 99.0);
        assert_eq!(s.percentile(100.0), 100.0);
        assert!(Samples::default().median().is_nan());
    }

    #[test]
    fn formats_keep_sensible_precision() {
        assert_eq!(ms(0.41234), "0.412");
        assert_eq!(ms(3.614), "3.61");
        assert_eq!(ms(27.44), "27.4");
        assert_eq!(usd(0.0123), "$0.0123");
        assert_eq!(usd(12.345), "$12.35");
        assert_eq!(ratio(1.066), "1.07×");
    }
}
