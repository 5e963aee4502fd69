//! Closing: which stored open jobs of a board a fetch proves gone.

use std::collections::HashSet;

use super::job::JobUid;

/// Whether a fetch saw the whole board. Any cap, page limit, failed page or rejected item
/// makes it `CutShort`, and a cut-short fetch proves nothing about absent jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchCompleteness {
    Complete,
    CutShort,
}

impl FetchCompleteness {
    /// Complete only when every page came back, no item of the payload was unreadable
    /// (it could be a stored job) and no request failed.
    pub fn judge(all_pages: bool, rejected_items: usize, failed: bool) -> Self {
        if all_pages && rejected_items == 0 && !failed {
            FetchCompleteness::Complete
        } else {
            FetchCompleteness::CutShort
        }
    }
}

/// Consecutive complete-but-empty fetches needed before a board's open jobs are closed:
/// a provider glitch that returns `[]` once must not close a whole board.
pub const EMPTY_FETCHES_BEFORE_CLOSING: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosingDecision {
    /// Sorted, so the same inputs always give the same output.
    pub close: Vec<JobUid>,
    /// Consecutive complete fetches that found the board empty, including this one.
    pub empty_streak: u32,
    /// Every job of the board left open by this decision was in the fetch, so "seen at the
    /// fetch" can be recorded once on the source instead of on each job.
    pub all_open_seen: bool,
}

pub fn plan_closing<'a>(
    stored_open: impl IntoIterator<Item = &'a JobUid>,
    seen: &HashSet<JobUid>,
    completeness: FetchCompleteness,
    previous_empty_streak: u32,
) -> ClosingDecision {
    if completeness == FetchCompleteness::CutShort {
        return ClosingDecision {
            close: Vec::new(),
            empty_streak: previous_empty_streak,
            all_open_seen: false,
        };
    }
    let empty_streak = if seen.is_empty() {
        previous_empty_streak.saturating_add(1)
    } else {
        0
    };
    if seen.is_empty() && empty_streak < EMPTY_FETCHES_BEFORE_CLOSING {
        return ClosingDecision {
            close: Vec::new(),
            empty_streak,
            all_open_seen: false,
        };
    }
    let mut close: Vec<JobUid> = stored_open
        .into_iter()
        .filter(|uid| !seen.contains(*uid))
        .cloned()
        .collect();
    close.sort();
    close.dedup();
    ClosingDecision {
        close,
        empty_streak,
        all_open_seen: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AtsKind, CompanySlug};

    fn uid(id: &str) -> JobUid {
        JobUid::new(
            AtsKind::Greenhouse,
            &CompanySlug::parse("acme").unwrap(),
            id,
        )
    }

    #[test]
    fn complete_fetch_closes_what_is_missing() {
        let stored = [uid("1"), uid("2"), uid("3")];
        let seen: HashSet<_> = [uid("1")].into_iter().collect();
        let d = plan_closing(&stored, &seen, FetchCompleteness::Complete, 0);
        let mut expected = vec![uid("2"), uid("3")];
        expected.sort();
        assert_eq!(d.close, expected);
        assert_eq!(d.empty_streak, 0);
        assert!(d.all_open_seen);
    }

    #[test]
    fn any_gap_makes_a_fetch_cut_short() {
        use FetchCompleteness::*;
        assert_eq!(FetchCompleteness::judge(true, 0, false), Complete);
        assert_eq!(FetchCompleteness::judge(false, 0, false), CutShort);
        assert_eq!(FetchCompleteness::judge(true, 1, false), CutShort);
        assert_eq!(FetchCompleteness::judge(true, 0, true), CutShort);
    }

    #[test]
    fn cut_short_fetch_closes_nothing() {
        let stored = [uid("1"), uid("2")];
        let d = plan_closing(&stored, &HashSet::new(), FetchCompleteness::CutShort, 1);
        assert!(d.close.is_empty());
        assert_eq!(d.empty_streak, 1);
        assert!(!d.all_open_seen, "a cut-short fetch proves nothing");
    }

    #[test]
    fn empty_board_closes_only_on_the_second_empty_fetch() {
        let stored = [uid("1")];
        let first = plan_closing(&stored, &HashSet::new(), FetchCompleteness::Complete, 0);
        assert!(first.close.is_empty());
        assert_eq!(first.empty_streak, 1);
        assert!(!first.all_open_seen, "the board's open jobs were not seen");
        let second = plan_closing(&stored, &HashSet::new(), FetchCompleteness::Complete, 1);
        assert_eq!(second.close, vec![uid("1")]);
        assert_eq!(second.empty_streak, 2);
        assert!(second.all_open_seen);
    }
}
