//! How a run's time is shared: between its phases, and between the records
//! a phase works on. Each gets its share of the time left when it starts, so
//! time one leaves unused flows to those after it.

use std::time::Duration;

use tokio::time::Instant;

/// The phases of a run, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Pending uploads whose window closed: deleted, their records queued.
    ExpireUploads,
    /// Deletion records: uploads aborted, objects and comments deleted.
    DeletionRecords,
    /// Deleted accounts: their comments anywhere, late videos and sessions.
    AccountPurges,
}

/// Each phase with its weight in the run's budget. A phase with nothing to
/// do ends at once and leaves its time to the next.
pub const PHASES: &[(Phase, u32)] =
    &[(Phase::ExpireUploads, 15), (Phase::DeletionRecords, 60), (Phase::AccountPurges, 25)];

/// When the first of `weights` must end, starting `now`, if it and those
/// after it must all end by `deadline`: its weight's part of the time left.
pub fn share_ends(now: Instant, deadline: Instant, weights: &[u32]) -> Instant {
    let total: u32 = weights.iter().sum();
    let Some(&first) = weights.first() else { return deadline };
    if total == 0 {
        return deadline;
    }
    let left = deadline.saturating_duration_since(now);
    now + left.mul_f64(f64::from(first) / f64::from(total))
}

/// When the first of `n` equal shares ends, starting `now`.
pub fn equal_share_ends(now: Instant, deadline: Instant, n: usize) -> Instant {
    let left = deadline.saturating_duration_since(now);
    now + left / u32::try_from(n.max(1)).unwrap_or(u32::MAX)
}

/// True once `deadline` has passed.
pub fn passed(deadline: Instant) -> bool {
    Instant::now() >= deadline
}

/// The deadline of a run of `budget` that starts now.
pub fn deadline_in(budget: Duration) -> Instant {
    Instant::now() + budget
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_its_weight_of_the_time_left_and_unused_time_flows_on() {
        let now = Instant::now();
        let deadline = now + Duration::from_secs(100);
        assert_eq!(share_ends(now, deadline, &[20, 80]), now + Duration::from_secs(20));
        // The first phase took 5 s of its 20: the second gets the other 95.
        let later = now + Duration::from_secs(5);
        assert_eq!(share_ends(later, deadline, &[80]), deadline);
        // Three phases: the second gets half of what the first left.
        assert_eq!(share_ends(later, deadline, &[50, 50]), later + Duration::from_millis(47_500));
        assert_eq!(share_ends(now, deadline, &[]), deadline);
        assert_eq!(share_ends(now, deadline, &[0, 0]), deadline);
        // Past the deadline, nothing is left.
        assert_eq!(share_ends(deadline + Duration::from_secs(1), deadline, &[1, 1]), deadline + Duration::from_secs(1));
    }

    #[test]
    fn equal_shares_split_the_time_left() {
        let now = Instant::now();
        let deadline = now + Duration::from_secs(30);
        assert_eq!(equal_share_ends(now, deadline, 3), now + Duration::from_secs(10));
        assert_eq!(equal_share_ends(now, deadline, 0), deadline);
    }

    #[test]
    fn every_phase_has_a_share() {
        assert!(PHASES.iter().all(|(_, weight)| *weight > 0));
        assert_eq!(PHASES.first().map(|p| p.0), Some(Phase::ExpireUploads));
    }
}
