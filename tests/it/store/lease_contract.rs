//! The shared round of sources (`SourceLeases`): one contract for memory, SQLite and MySQL.

use std::collections::HashMap;
use std::sync::Arc;

use crate::helpers::store::*;
use jobs_bot::adapters::db::ClaimStrategy;
use jobs_bot::domain::{AtsKind, SourceKey};
use jobs_bot::ports::{Claim, LeaseRelease, SourceLeases};

contract!(
    a_round_covers_every_enabled_source_once,
    a_new_round_starts_only_when_the_current_one_is_done,
    claims_follow_the_rotation_order,
    a_leased_source_waits_for_its_lease_to_expire,
    release_without_done_leaves_the_source_due,
    release_after_a_takeover_still_marks_done,
    a_batch_ends_its_lease_in_the_same_write,
    renewal_extends_only_the_owners_leases,
    dropped_leases_are_claimable_at_once,
    claims_never_overlap_with_locked_selects,
    claims_never_overlap_with_conditional_updates,
);

fn claim(round: u64, owner: &str, now: i64, lease: i64, limit: usize) -> Claim<'_> {
    Claim {
        round,
        owner,
        now: t(now),
        until: t(now + lease),
        limit,
    }
}

fn keys(n: usize) -> Vec<SourceKey> {
    (0..n)
        .map(|i| key(AtsKind::Greenhouse, &format!("board{i:03}")))
        .collect()
}

async fn declare(s: &Store, keys: &[SourceKey]) {
    s.repo
        .sync_sources(&keys.iter().map(spec).collect::<Vec<_>>())
        .await
        .unwrap();
}

/// `n` declared sources, the round joined at t=0, and every source claimed by `a` for
/// `lease` seconds: (sources, round, a's claim).
async fn all_claimed_by_a(
    s: &Store,
    n: usize,
    lease: i64,
) -> (Vec<SourceKey>, u64, Vec<jobs_bot::ports::SourceRecord>) {
    let all = keys(n);
    declare(s, &all).await;
    let round = s.leases.join_round(t(0)).await.unwrap().number;
    let a = s
        .leases
        .claim_sources(&claim(round, "a", 0, lease, 5))
        .await
        .unwrap();
    (all, round, a)
}

fn slugs(records: &[jobs_bot::ports::SourceRecord]) -> Vec<String> {
    records.iter().map(|r| r.key.slug.to_string()).collect()
}

async fn a_round_covers_every_enabled_source_once(s: &Store) {
    let all = keys(3);
    let mut specs: Vec<_> = all.iter().map(spec).collect();
    specs[2].enabled = false;
    s.repo.sync_sources(&specs).await.unwrap();
    let round = s.leases.join_round(t(0)).await.unwrap();
    assert_eq!(round.due, 2, "the disabled source is not due");
    let got = s
        .leases
        .claim_sources(&claim(round.number, "a", 0, 60, 10))
        .await
        .unwrap();
    assert_eq!(slugs(&got), ["board000", "board001"]);
    let none = s
        .leases
        .claim_sources(&claim(round.number, "b", 1, 60, 10))
        .await
        .unwrap();
    assert!(none.is_empty(), "leased to a: {none:?}");
    for k in &all[..2] {
        s.leases
            .release_source(k, Some(round.number), "a")
            .await
            .unwrap();
    }
    let after = s
        .leases
        .claim_sources(&claim(round.number, "b", 2, 60, 10))
        .await
        .unwrap();
    assert!(after.is_empty(), "done in the round: {after:?}");
    assert_eq!(
        s.leases
            .leased_elsewhere(round.number, "b", t(2))
            .await
            .unwrap(),
        None
    );
}

async fn a_new_round_starts_only_when_the_current_one_is_done(s: &Store) {
    let all = keys(2);
    declare(s, &all).await;
    let first = s.leases.join_round(t(0)).await.unwrap();
    let got = s
        .leases
        .claim_sources(&claim(first.number, "a", 0, 60, 1))
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    s.leases
        .release_source(&got[0].key, Some(first.number), "a")
        .await
        .unwrap();
    let joined = s.leases.join_round(t(0)).await.unwrap();
    assert_eq!(joined.number, first.number, "one source is still due");
    assert_eq!(joined.due, 1);
    let rest = s
        .leases
        .claim_sources(&claim(first.number, "b", 1, 60, 5))
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    s.leases
        .release_source(&rest[0].key, Some(first.number), "b")
        .await
        .unwrap();
    let next = s.leases.join_round(t(7)).await.unwrap();
    assert_eq!(next.number, first.number + 1);
    assert_eq!(next.due, 2);
    assert!(next.started);
    assert_eq!(next.started_at, Some(t(7)));
    let again = s.leases.join_round(t(8)).await.unwrap();
    assert_eq!(
        again.number, next.number,
        "a second worker joins, not a third round"
    );
    assert!(!again.started);
    assert_eq!(
        again.started_at,
        Some(t(7)),
        "when the round began, not when joined"
    );
}

async fn claims_follow_the_rotation_order(s: &Store) {
    let all = keys(3);
    declare(s, &all).await;
    // board000 fetched last, board002 never: never-fetched first, then oldest fetch.
    for (k, at) in [(&all[0], 20), (&all[1], 10)] {
        s.repo.apply_batch(&ok_batch(k, t(at))).await.unwrap();
    }
    let round = s.leases.join_round(t(0)).await.unwrap();
    let mut order = Vec::new();
    for i in 0..3 {
        let got = s
            .leases
            .claim_sources(&claim(round.number, "a", 30 + i, 60, 1))
            .await
            .unwrap();
        order.extend(slugs(&got));
    }
    assert_eq!(order, ["board002", "board001", "board000"]);
}

async fn a_leased_source_waits_for_its_lease_to_expire(s: &Store) {
    let (_, round, a) = all_claimed_by_a(s, 2, 10).await;
    assert_eq!(a.len(), 2);
    assert!(
        s.leases
            .claim_sources(&claim(round, "b", 9, 10, 5))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.leases.leased_elsewhere(round, "b", t(9)).await.unwrap(),
        Some(t(10)),
        "b waits for a's lease"
    );
    assert_eq!(
        s.leases.leased_elsewhere(round, "a", t(9)).await.unwrap(),
        None
    );
    // a crashed: its lease expires and b takes both.
    let b = s
        .leases
        .claim_sources(&claim(round, "b", 11, 10, 5))
        .await
        .unwrap();
    assert_eq!(slugs(&b), slugs(&a));
    assert_eq!(
        s.leases.leased_elsewhere(round, "a", t(12)).await.unwrap(),
        Some(t(21))
    );
}

async fn release_without_done_leaves_the_source_due(s: &Store) {
    let (all, round, a) = all_claimed_by_a(s, 1, 60).await;
    assert_eq!(a.len(), 1);
    s.leases.release_source(&all[0], None, "a").await.unwrap();
    let b = s
        .leases
        .claim_sources(&claim(round, "b", 1, 60, 5))
        .await
        .unwrap();
    assert_eq!(slugs(&b), ["board000"], "released unleased and still due");
    assert_eq!(s.leases.join_round(t(0)).await.unwrap().number, round);
}

async fn release_after_a_takeover_still_marks_done(s: &Store) {
    let (all, round, _) = all_claimed_by_a(s, 1, 5).await;
    let b = s
        .leases
        .claim_sources(&claim(round, "b", 6, 60, 5))
        .await
        .unwrap();
    assert_eq!(b.len(), 1, "a's lease expired");
    // a was only slow: it finishes and releases; the source is done, b keeps its lease.
    s.leases
        .release_source(&all[0], Some(round), "a")
        .await
        .unwrap();
    assert_eq!(
        s.leases.leased_elsewhere(round, "a", t(7)).await.unwrap(),
        None,
        "done: nothing to wait for"
    );
    assert_eq!(
        s.leases.renew_leases("b", t(100)).await.unwrap(),
        1,
        "b's lease stays"
    );
    s.leases
        .release_source(&all[0], Some(round), "b")
        .await
        .unwrap();
    assert_eq!(s.leases.renew_leases("b", t(100)).await.unwrap(), 0);
    assert_eq!(s.leases.join_round(t(0)).await.unwrap().number, round + 1);
}

async fn a_batch_ends_its_lease_in_the_same_write(s: &Store) {
    let (all, round, a) = all_claimed_by_a(s, 2, 60).await;
    assert_eq!(a.len(), 2);
    for (source, done_in) in [(&all[0], Some(round)), (&all[1], None)] {
        let mut batch = ok_batch(source, t(1));
        batch.release = Some(LeaseRelease {
            owner: "a".into(),
            done_in,
        });
        s.repo.apply_batch(&batch).await.unwrap();
    }
    assert_eq!(
        s.leases.renew_leases("a", t(100)).await.unwrap(),
        0,
        "both ended"
    );
    let b = s
        .leases
        .claim_sources(&claim(round, "b", 2, 60, 5))
        .await
        .unwrap();
    assert_eq!(slugs(&b), ["board001"], "done in the round / still due");
    // Without a release the batch leaves the lease alone.
    s.repo.apply_batch(&ok_batch(&all[1], t(3))).await.unwrap();
    assert_eq!(s.leases.renew_leases("b", t(100)).await.unwrap(), 1);
}

async fn renewal_extends_only_the_owners_leases(s: &Store) {
    let all = keys(2);
    declare(s, &all).await;
    let round = s.leases.join_round(t(0)).await.unwrap().number;
    s.leases
        .claim_sources(&claim(round, "a", 0, 10, 1))
        .await
        .unwrap();
    s.leases
        .claim_sources(&claim(round, "b", 0, 10, 1))
        .await
        .unwrap();
    assert_eq!(s.leases.renew_leases("a", t(50)).await.unwrap(), 1);
    // At 20 b's lease has expired, a's has not: c gets only b's source.
    let c = s
        .leases
        .claim_sources(&claim(round, "c", 20, 10, 5))
        .await
        .unwrap();
    assert_eq!(slugs(&c), ["board001"]);
    assert_eq!(
        s.leases.leased_elsewhere(round, "c", t(20)).await.unwrap(),
        Some(t(50))
    );
}

async fn dropped_leases_are_claimable_at_once(s: &Store) {
    let all = keys(3);
    declare(s, &all).await;
    let round = s.leases.join_round(t(0)).await.unwrap().number;
    s.leases
        .claim_sources(&claim(round, "dead", 0, 100, 2))
        .await
        .unwrap();
    s.leases
        .claim_sources(&claim(round, "live", 0, 100, 1))
        .await
        .unwrap();
    assert_eq!(
        s.leases.lease_holders(t(1)).await.unwrap(),
        ["dead", "live"]
    );
    assert!(
        s.leases.lease_holders(t(101)).await.unwrap().is_empty(),
        "expired"
    );
    assert_eq!(s.leases.drop_leases("dead").await.unwrap(), 2);
    assert_eq!(s.leases.lease_holders(t(1)).await.unwrap(), ["live"]);
    let got = s
        .leases
        .claim_sources(&claim(round, "next", 1, 100, 5))
        .await
        .unwrap();
    assert_eq!(slugs(&got), ["board000", "board001"]);
}

/// Eight workers claim three at a time from 60 sources, all at once: every source is
/// granted exactly once.
async fn claims_never_overlap(s: &Store) {
    let all = keys(60);
    declare(s, &all).await;
    let round = s.leases.join_round(t(0)).await.unwrap().number;
    let workers = (0..8).map(|w| {
        let leases: Arc<dyn SourceLeases> = s.leases.clone();
        tokio::spawn(async move {
            let owner = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let got = leases
                    .claim_sources(&claim(round, &owner, 0, 600, 3))
                    .await
                    .unwrap();
                if got.is_empty() {
                    break mine;
                }
                for r in got {
                    leases
                        .release_source(&r.key, Some(round), &owner)
                        .await
                        .unwrap();
                    mine.push(r.key);
                }
            }
        })
    });
    let mut granted: HashMap<SourceKey, usize> = HashMap::new();
    for w in workers {
        for k in w.await.unwrap() {
            *granted.entry(k).or_default() += 1;
        }
    }
    assert_eq!(granted.len(), all.len(), "every source granted");
    assert!(
        granted.values().all(|n| *n == 1),
        "granted twice: {granted:?}"
    );
}

async fn claims_never_overlap_with_locked_selects(s: &Store) {
    if let Some(db) = &s.db {
        db.use_claim_strategy(ClaimStrategy::LockedSelect);
    }
    claims_never_overlap(s).await;
}

async fn claims_never_overlap_with_conditional_updates(s: &Store) {
    if let Some(db) = &s.db {
        db.use_claim_strategy(ClaimStrategy::ConditionalUpdate);
    }
    claims_never_overlap(s).await;
}
