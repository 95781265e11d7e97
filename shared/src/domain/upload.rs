//! How an upload is cut into S3 multipart parts, and which parts are missing.

/// S3's limits: at most 10,000 parts, each at least 5 MiB but the last.
pub const MAX_PARTS: u32 = 10_000;
pub const S3_MIN_PART_BYTES: u64 = 5 * 1024 * 1024;
/// Part URLs one call may ask for.
pub const MAX_PART_URLS_PER_CALL: usize = 100;
const MIB: u64 = 1024 * 1024;

/// The server's plan for one upload: every part has `part_size` bytes but
/// the last, which has the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadPlan {
    pub size: u64,
    pub part_size: u64,
    pub part_count: u32,
}

/// A part S3 holds: its number and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeldPart {
    pub part_number: u32,
    pub size: u64,
}

impl UploadPlan {
    /// The smallest whole-MiB part size of at least `min_part_bytes` that
    /// needs no more than 10,000 parts. `size` must be at least 1.
    pub fn for_size(size: u64, min_part_bytes: u64) -> Self {
        let floor = min_part_bytes.max(S3_MIN_PART_BYTES);
        let needed = size.div_ceil(u64::from(MAX_PARTS));
        let part_size = floor.max(needed.div_ceil(MIB) * MIB);
        let part_count = size.max(1).div_ceil(part_size) as u32;
        UploadPlan { size, part_size, part_count }
    }

    /// The exact length of part `number` (1-based), or None outside the plan.
    pub fn part_len(&self, number: u32) -> Option<u64> {
        if number == 0 || number > self.part_count {
            return None;
        }
        let start = u64::from(number - 1) * self.part_size;
        Some(self.part_size.min(self.size - start))
    }

    /// Parts that are not held with their planned length, in order.
    pub fn missing(&self, held: &[HeldPart]) -> Vec<u32> {
        (1..=self.part_count)
            .filter(|&n| !held.iter().any(|p| p.part_number == n && Some(p.size) == self.part_len(n)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_one_part_and_big_ones_stay_under_ten_thousand_parts() {
        let one = UploadPlan::for_size(1000, 8 * MIB);
        assert_eq!((one.part_size, one.part_count, one.part_len(1)), (8 * MIB, 1, Some(1000)));
        let three = UploadPlan::for_size(11 * MIB, 5 * MIB);
        assert_eq!((three.part_count, three.part_len(3)), (3, Some(MIB)));
        assert_eq!(three.part_len(0), None);
        assert_eq!(three.part_len(4), None);
        let huge = UploadPlan::for_size(5 * 1024 * 1024 * MIB, 8 * MIB); // 5 TiB
        assert!(huge.part_count <= MAX_PARTS);
        assert_eq!(huge.part_size % MIB, 0);
        assert_eq!(
            huge.part_len(huge.part_count).unwrap() + u64::from(huge.part_count - 1) * huge.part_size,
            huge.size
        );
    }

    #[test]
    fn the_floor_never_goes_below_s3s_minimum() {
        assert_eq!(UploadPlan::for_size(100 * MIB, 1).part_size, S3_MIN_PART_BYTES);
    }

    #[test]
    fn missing_parts_are_the_absent_and_the_wrong_sized() {
        let plan = UploadPlan::for_size(11 * MIB, 5 * MIB);
        let held = [HeldPart { part_number: 1, size: 5 * MIB }, HeldPart { part_number: 3, size: 7 }];
        assert_eq!(plan.missing(&held), vec![2, 3]);
        let all = [1, 2, 3].map(|n| HeldPart { part_number: n, size: plan.part_len(n).unwrap() });
        assert!(plan.missing(&all).is_empty());
    }
}
