//! Daily caps: how much of a requested amount may be granted given what is already used.

use serde::{Deserialize, Serialize};

/// A daily limit. Zero means unlimited (the seed spec's convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cap(pub u32);

impl Cap {
    pub const UNLIMITED: Cap = Cap(0);

    pub fn is_unlimited(self) -> bool {
        self.0 == 0
    }

    /// How many of `requested` units may be granted when `used` are already spent today.
    /// Never grants past the cap; an unlimited cap grants everything.
    pub fn grant(self, used: u64, requested: u64) -> u64 {
        if self.is_unlimited() {
            requested
        } else {
            requested.min(u64::from(self.0).saturating_sub(used))
        }
    }

    /// Units left today, `None` when unlimited.
    pub fn remaining(self, used: u64) -> Option<u64> {
        (!self.is_unlimited()).then(|| u64::from(self.0).saturating_sub(used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn grant_never_exceeds_cap_or_request(cap in 0u32..1000, used in 0u64..2000, req in 0u64..2000) {
            let granted = Cap(cap).grant(used, req);
            prop_assert!(granted <= req);
            if cap == 0 {
                prop_assert_eq!(granted, req);
            } else {
                prop_assert!(used + granted <= u64::from(cap).max(used));
            }
        }

        #[test]
        fn sequential_reservations_sum_to_at_most_cap(cap in 1u32..200, reqs in proptest::collection::vec(0u64..20, 0..50)) {
            let mut used = 0;
            for r in reqs {
                used += Cap(cap).grant(used, r);
            }
            prop_assert!(used <= u64::from(cap));
        }
    }

    #[test]
    fn remaining_reports_unlimited_as_none() {
        assert_eq!(Cap(0).remaining(5), None);
        assert_eq!(Cap(10).remaining(4), Some(6));
        assert_eq!(Cap(10).remaining(40), Some(0));
    }
}
