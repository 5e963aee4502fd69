//! Upsert planning: what one fetch of a board means for the stored jobs of that board.

use std::collections::{HashMap, HashSet};

use super::job::{ContentHash, FetchedPosting, JobUid, RawHash};
use super::source::SourceKey;

/// What is stored about a job, enough to decide whether a fetched posting changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFingerprint {
    pub hash: ContentHash,
    pub closed: bool,
    /// The hash of the raw item the job was derived from (`None` for rows stored before
    /// raw hashes were kept): an item that hashes the same again is known unchanged
    /// without being parsed.
    pub raw_hash: Option<RawHash>,
}

/// A fetched posting with its identity and hash computed.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedJob {
    pub uid: JobUid,
    pub hash: ContentHash,
    pub fetched: FetchedPosting,
}

/// Bounds on the writes one source may make in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteLimits {
    /// Inserts plus updates allowed (run budget and per-source limit); `None` is unlimited.
    pub writes: Option<usize>,
    /// Inserts granted by the daily new-job counter.
    pub new_jobs: usize,
}

/// The decision for one fetch. Every fetched uid lands in exactly one of inserts, updates,
/// unchanged, blocked or deferred; `reopened` lists the closed jobs that came back
/// (they are also in updates or unchanged).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpsertPlan {
    pub inserts: Vec<PlannedJob>,
    pub updates: Vec<PlannedJob>,
    pub unchanged: Vec<JobUid>,
    pub reopened: Vec<JobUid>,
    /// New jobs refused by the daily new-job cap.
    pub blocked: Vec<JobUid>,
    /// Writes left for a later run by the per-run or per-source work limit.
    pub deferred: Vec<JobUid>,
    /// Postings that repeated a uid already seen in the same payload.
    pub duplicates: usize,
}

impl UpsertPlan {
    pub fn writes(&self) -> usize {
        self.inserts.len() + self.updates.len()
    }
}

/// Classifies one fetch against the stored fingerprints; then, once the caller knows how
/// many new jobs the daily counter granted, turns it into a plan.
#[derive(Debug, Clone)]
pub struct UpsertPlanner {
    new: Vec<PlannedJob>,
    changed: Vec<(PlannedJob, bool)>,
    unchanged: Vec<(JobUid, bool)>,
    seen: HashSet<JobUid>,
    duplicates: usize,
}

impl UpsertPlanner {
    /// `unchanged` are the stored uids of items whose raw JSON hashed as stored (not
    /// parsed: unchanged by construction), taken first; then postings in payload order. A
    /// uid repeated in the payload counts once (its first occurrence wins). Uids hash
    /// `uid_slug` when the source has one (a source adopted from the Python version), else
    /// the normalized slug.
    pub fn classify(
        source: &SourceKey,
        uid_slug: Option<&str>,
        fetched: Vec<FetchedPosting>,
        unchanged: &[JobUid],
        stored: &HashMap<JobUid, StoredFingerprint>,
    ) -> Self {
        let mut planner = UpsertPlanner {
            new: Vec::new(),
            changed: Vec::new(),
            unchanged: Vec::new(),
            seen: HashSet::with_capacity(fetched.len() + unchanged.len()),
            duplicates: 0,
        };
        let slug = uid_slug.unwrap_or(source.slug.as_str());
        for uid in unchanged {
            if !planner.seen.insert(uid.clone()) {
                planner.duplicates += 1;
                continue;
            }
            // Known items come from the stored fingerprints, so this always finds one.
            if let Some(old) = stored.get(uid) {
                planner.unchanged.push((uid.clone(), old.closed));
            }
        }
        for item in fetched {
            let uid = JobUid::with_slug_spelling(source.ats, slug, &item.posting.ats_job_id);
            if !planner.seen.insert(uid.clone()) {
                planner.duplicates += 1;
                continue;
            }
            let hash = item.posting.content_hash();
            match stored.get(&uid) {
                None => planner.new.push(PlannedJob {
                    uid,
                    hash,
                    fetched: item,
                }),
                Some(old) if old.hash != hash => planner.changed.push((
                    PlannedJob {
                        uid,
                        hash,
                        fetched: item,
                    },
                    old.closed,
                )),
                Some(old) => planner.unchanged.push((uid, old.closed)),
            }
        }
        planner
    }

    /// Every uid the fetch contained: what closing compares the stored open jobs against.
    pub fn seen(&self) -> &HashSet<JobUid> {
        &self.seen
    }

    /// How many new jobs to ask the daily counter for: updates take the write budget
    /// first, so existing rows stay fresh, and no more is asked than can be written.
    pub fn inserts_wanted(&self, writes: Option<usize>) -> usize {
        let room = writes.map_or(usize::MAX, |w| w.saturating_sub(self.changed.len()));
        self.new.len().min(room)
    }

    pub fn plan(self, limits: WriteLimits) -> UpsertPlan {
        let mut plan = UpsertPlan {
            duplicates: self.duplicates,
            ..UpsertPlan::default()
        };
        let mut writes_left = limits.writes.unwrap_or(usize::MAX);
        for (uid, was_closed) in self.unchanged {
            if was_closed {
                plan.reopened.push(uid.clone());
            }
            plan.unchanged.push(uid);
        }
        for (job, was_closed) in self.changed {
            if writes_left == 0 {
                plan.deferred.push(job.uid);
                continue;
            }
            writes_left -= 1;
            if was_closed {
                plan.reopened.push(job.uid.clone());
            }
            plan.updates.push(job);
        }
        let mut new_left = limits.new_jobs;
        for job in self.new {
            if writes_left == 0 {
                plan.deferred.push(job.uid);
            } else if new_left == 0 {
                plan.blocked.push(job.uid);
            } else {
                writes_left -= 1;
                new_left -= 1;
                plan.inserts.push(job);
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AtsKind, CompanySlug, Posting};

    fn source() -> SourceKey {
        SourceKey::new(AtsKind::Lever, CompanySlug::parse("acme").unwrap())
    }

    fn posting(id: &str, title: &str) -> FetchedPosting {
        FetchedPosting::new(
            Posting {
                ats_job_id: id.into(),
                title: title.into(),
                ..Posting::default()
            },
            "{}",
        )
    }

    fn stored_for(items: &[FetchedPosting], closed: bool) -> HashMap<JobUid, StoredFingerprint> {
        items
            .iter()
            .map(|f| {
                (
                    JobUid::new(AtsKind::Lever, &source().slug, &f.posting.ats_job_id),
                    StoredFingerprint {
                        hash: f.posting.content_hash(),
                        closed,
                        raw_hash: Some(f.raw_hash.clone()),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn updates_take_the_write_budget_before_inserts() {
        let old = vec![posting("1", "a"), posting("2", "b")];
        let stored = stored_for(&old, false);
        let fetch = vec![posting("1", "a2"), posting("2", "b2"), posting("3", "c")];
        let planner = UpsertPlanner::classify(&source(), None, fetch, &[], &stored);
        assert_eq!(planner.inserts_wanted(Some(2)), 0);
        assert_eq!(planner.inserts_wanted(Some(3)), 1);
        let plan = planner.plan(WriteLimits {
            writes: Some(2),
            new_jobs: 10,
        });
        assert_eq!(plan.updates.len(), 2);
        assert!(plan.inserts.is_empty());
        assert_eq!(plan.deferred.len(), 1);
        assert!(plan.blocked.is_empty());
    }

    #[test]
    fn new_job_budget_blocks_only_inserts() {
        let stored = stored_for(&[posting("1", "a")], false);
        let fetch = vec![
            posting("1", "changed"),
            posting("2", "b"),
            posting("3", "c"),
        ];
        let plan =
            UpsertPlanner::classify(&source(), None, fetch, &[], &stored).plan(WriteLimits {
                writes: None,
                new_jobs: 1,
            });
        assert_eq!(plan.updates.len(), 1);
        assert_eq!(plan.inserts.len(), 1);
        assert_eq!(plan.inserts[0].fetched.posting.ats_job_id, "2");
        assert_eq!(plan.blocked.len(), 1);
    }

    #[test]
    fn closed_job_that_returns_is_reopened() {
        let old = vec![posting("1", "a"), posting("2", "b")];
        let stored = stored_for(&old, true);
        let fetch = vec![posting("1", "a"), posting("2", "b changed")];
        let plan =
            UpsertPlanner::classify(&source(), None, fetch, &[], &stored).plan(WriteLimits {
                writes: None,
                new_jobs: 0,
            });
        assert_eq!(plan.reopened.len(), 2);
        assert_eq!(plan.unchanged.len(), 1);
        assert_eq!(plan.updates.len(), 1);
    }

    #[test]
    fn duplicate_uids_in_a_payload_count_once() {
        let fetch = vec![posting("1", "first"), posting("1", "second")];
        let plan = UpsertPlanner::classify(&source(), None, fetch, &[], &HashMap::new()).plan(
            WriteLimits {
                writes: None,
                new_jobs: 5,
            },
        );
        assert_eq!(plan.inserts.len(), 1);
        assert_eq!(plan.inserts[0].fetched.posting.title, "first");
        assert_eq!(plan.duplicates, 1);
    }

    #[test]
    fn known_unchanged_uids_are_seen_and_unchanged_without_a_posting() {
        let old = vec![posting("1", "a"), posting("2", "b")];
        let mut stored = stored_for(&old, false);
        let uid2 = JobUid::new(AtsKind::Lever, &source().slug, "2");
        if let Some(fp) = stored.get_mut(&uid2) {
            fp.closed = true;
        }
        let uid1 = JobUid::new(AtsKind::Lever, &source().slug, "1");
        let known = vec![uid1, uid2.clone()];
        let planner =
            UpsertPlanner::classify(&source(), None, vec![posting("1", "dup")], &known, &stored);
        assert_eq!(planner.seen().len(), 2);
        let plan = planner.plan(WriteLimits {
            writes: None,
            new_jobs: 5,
        });
        assert_eq!(plan.unchanged.len(), 2);
        assert_eq!(plan.reopened, vec![uid2]);
        assert!(plan.updates.is_empty() && plan.inserts.is_empty());
        assert_eq!(plan.duplicates, 1);
    }
}
