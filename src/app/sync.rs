//! The sync use case: each profile's fits that reached its threshold and changed since the
//! last sync go to its data source, best first, at most `limit` a run. Ports only.
//!
//! No duplicates: a page id is stored the moment it is known, and without a stored id the
//! data source is queried by key first (adopting the page a crashed run created). A page
//! the user archived or trashed is marked dismissed and never recreated. A failure of the
//! sink never fails the run: it is logged and kept in the link's `last_error`.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::domain::sync::{
    Need, PROPERTIES, Prop, PropValue, PropertyNames, SyncAction, SyncFacts, day, eligibility,
    initial_status, regions, select_name,
};
use crate::ports::{
    Clock, FitFilter, FitRecord, FitStore, PageKey, ScoringRow, Sink, SinkError, SinkLink,
    SinkSchema, StoreError, UpdateOutcome,
};

/// One profile's destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncTarget {
    pub profile: String,
    pub data_source: String,
    pub fit_min: u8,
    /// Other profiles write to the same data source: pages are keyed by (Job UID, Profile).
    pub shared: bool,
}

#[derive(Clone)]
pub struct SyncDeps {
    pub store: Arc<dyn FitStore>,
    pub sink: Arc<dyn Sink>,
    pub clock: Arc<dyn Clock>,
    /// What each property is called in the data sources (for schema checks and messages).
    pub names: PropertyNames,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPolicy {
    /// At most this many pages created or updated per profile per run.
    pub limit: usize,
    /// Read the schema and plan; send no write request and store nothing.
    pub dry_run: bool,
    /// After this many sink failures in a row a profile's sync stops (the rest waits
    /// for the next run).
    pub max_consecutive_failures: u32,
}

/// One planned write (dry runs list them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedWrite {
    pub profile: String,
    pub action: &'static str,
    pub job_uid: String,
    pub title: String,
    pub fit_score: u8,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub profiles: u64,
    pub profiles_failed: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub dismissed: u64,
    pub failed: u64,
    pub requests: u64,
    pub rate_limited: u64,
    /// What a dry run would write.
    pub planned: Vec<PlannedWrite>,
}

/// What the schema of a data source allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaVerdict {
    /// Properties the sync cannot run without (name and type), missing or of another type.
    pub missing_required: Vec<String>,
    /// Owned properties missing (or of another type): not written, reported once.
    pub missing_owned: Vec<String>,
    /// Optional properties absent: simply not written.
    pub missing_optional: Vec<String>,
    /// The properties that will be written.
    pub present: BTreeSet<Prop>,
    /// Properties whose name the data source uses for another type: the user's, left alone.
    pub occupied: BTreeSet<Prop>,
}

impl SchemaVerdict {
    pub fn of(schema: &SinkSchema, shared: bool, names: &PropertyNames) -> SchemaVerdict {
        let mut v = SchemaVerdict {
            missing_required: Vec::new(),
            missing_owned: Vec::new(),
            missing_optional: Vec::new(),
            present: BTreeSet::new(),
            occupied: BTreeSet::new(),
        };
        for spec in PROPERTIES {
            if schema.has(spec.prop, names) {
                v.present.insert(spec.prop);
                continue;
            }
            let name = names.name(spec.prop);
            let label = match schema.wrong_type(spec.prop, names) {
                Some(t) => {
                    v.occupied.insert(spec.prop);
                    format!("{name} (is {t}, expected {})", spec.kind.as_str())
                }
                None => format!("{name} ({})", spec.kind.as_str()),
            };
            let need = if spec.prop == Prop::Profile && shared {
                Need::Required
            } else {
                spec.need
            };
            match need {
                Need::Required => v.missing_required.push(label),
                Need::Owned => v.missing_owned.push(label),
                Need::Optional => v.missing_optional.push(label),
            }
        }
        v
    }

    pub fn usable(&self) -> bool {
        self.missing_required.is_empty()
    }
}

/// Why a profile's sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum ProfileSyncError {
    #[error("{0}")]
    Sink(#[from] SinkError),
    #[error(
        "data source {data_source} lacks required properties: {}; run `jobs-bot notion setup` or add them in Notion",
        missing.join(", ")
    )]
    Schema {
        data_source: String,
        missing: Vec<String>,
    },
    #[error("stopped after {0} failures in a row")]
    TooManyFailures(u32),
}

/// The property values of one (job, profile) page. `Status` only when creating.
pub fn page_properties(
    fit: &FitRecord,
    job: &ScoringRow,
    present: &BTreeSet<Prop>,
    creating: bool,
) -> Vec<(Prop, PropValue)> {
    let mut out = Vec::new();
    let mut put = |p: Prop, v: PropValue| {
        if present.contains(&p) {
            out.push((p, v));
        }
    };
    put(Prop::JobTitle, PropValue::Title(job.title.clone()));
    put(
        Prop::JobUid,
        PropValue::RichText(job.uid.as_str().to_string()),
    );
    put(Prop::Profile, PropValue::RichText(fit.profile.clone()));
    if let Some(company) = &job.company {
        put(Prop::Company, PropValue::RichText(company.clone()));
    }
    if let Some(url) = &job.url {
        put(Prop::JobUrl, PropValue::Url(url.clone()));
    }
    put(Prop::FitScore, PropValue::Number(f64::from(fit.fit.score)));
    put(
        Prop::FitClass,
        PropValue::Select(fit.fit.class.as_str().to_string()),
    );
    put(Prop::FirstSeen, PropValue::Date(day(job.first_seen_at)));
    put(Prop::LastChecked, PropValue::Date(day(job.changed_at)));
    put(
        Prop::Source,
        PropValue::Select(select_name(job.source.ats.as_str())),
    );
    put(
        Prop::Region,
        PropValue::MultiSelect(regions(job.location.as_deref())),
    );
    if creating {
        put(
            Prop::Status,
            PropValue::Status(initial_status(fit.fit.score).to_string()),
        );
    }
    if let Some(location) = &job.location {
        put(Prop::Location, PropValue::RichText(location.clone()));
    }
    if let Some(w) = job.workplace {
        put(Prop::Workplace, PropValue::Select(select_name(w.as_str())));
    }
    if let Some(salary) = job.enrichment.as_ref().and_then(|e| e.salary.as_ref()) {
        put(Prop::Salary, PropValue::RichText(salary.display.clone()));
    }
    put(Prop::Why, PropValue::RichText(fit.fit.why()));
    put(Prop::Closed, PropValue::Checkbox(job.closed));
    out
}

/// The outcome of one item.
enum Outcome {
    Created,
    Updated,
    Dismissed,
}

pub struct Sync {
    deps: SyncDeps,
    policy: SyncPolicy,
}

impl Sync {
    pub fn new(deps: SyncDeps, policy: SyncPolicy) -> Self {
        Sync { deps, policy }
    }

    /// Syncs every target; sink failures are logged and counted, store failures returned.
    pub async fn run(&self, targets: &[SyncTarget]) -> Result<SyncReport, StoreError> {
        let mut report = SyncReport::default();
        for target in targets {
            report.profiles += 1;
            if let Err(err) = self.profile(target, &mut report).await? {
                report.profiles_failed += 1;
                tracing::warn!(
                    event = "notion_sync_failed",
                    profile = %target.profile,
                    data_source = %target.data_source,
                    reason = %err,
                );
            }
        }
        let stats = self.deps.sink.stats();
        report.requests = stats.requests;
        report.rate_limited = stats.rate_limited;
        tracing::info!(
            event = "notion_sync_done",
            dry_run = self.policy.dry_run,
            profiles = report.profiles,
            profiles_failed = report.profiles_failed,
            created = report.created,
            updated = report.updated,
            unchanged = report.unchanged,
            dismissed = report.dismissed,
            failed = report.failed,
            requests = report.requests,
            rate_limited = report.rate_limited,
        );
        Ok(report)
    }

    /// The schema of a target's data source and its verdict.
    pub async fn check(&self, target: &SyncTarget) -> Result<SchemaVerdict, SinkError> {
        let schema = self.deps.sink.schema(&target.data_source).await?;
        Ok(SchemaVerdict::of(&schema, target.shared, &self.deps.names))
    }

    async fn profile(
        &self,
        target: &SyncTarget,
        report: &mut SyncReport,
    ) -> Result<Result<(), ProfileSyncError>, StoreError> {
        let verdict = match self.check(target).await {
            Ok(v) => v,
            Err(e) => return Ok(Err(e.into())),
        };
        if !verdict.usable() {
            return Ok(Err(ProfileSyncError::Schema {
                data_source: target.data_source.clone(),
                missing: verdict.missing_required,
            }));
        }
        for name in &verdict.missing_owned {
            tracing::warn!(
                event = "notion_property_missing",
                profile = %target.profile,
                data_source = %target.data_source,
                property = %name,
            );
        }
        let filter = FitFilter {
            min_score: Some(target.fit_min),
            ..FitFilter::default()
        };
        let rows = self.deps.store.ranked(&target.profile, &filter).await?;
        let mut todo = Vec::new();
        for (fit, job) in rows {
            let link = &fit.link;
            let facts = SyncFacts {
                score: fit.fit.score,
                fit_min: target.fit_min,
                has_page: link.page_id.is_some(),
                dismissed: link.dismissed,
                last_sync: link.last_sync,
                last_failed: link.last_error.is_some(),
                fit_computed_at: fit.computed_at,
                changed_at: job.changed_at,
                closed_at: job.closed_at,
                synced_closed: link.closed,
            };
            match eligibility(&facts) {
                Some(action) if todo.len() < self.policy.limit => todo.push((action, fit, job)),
                Some(_) => {}
                None if !link.dismissed && link.page_id.is_some() => report.unchanged += 1,
                None => {}
            }
        }
        let mut in_a_row = 0;
        for (action, fit, job) in todo {
            if self.policy.dry_run {
                report.planned.push(PlannedWrite {
                    profile: target.profile.clone(),
                    action: match action {
                        SyncAction::Create => "create",
                        SyncAction::Update => "update",
                    },
                    job_uid: job.uid.as_str().to_string(),
                    title: job.title.clone(),
                    fit_score: fit.fit.score,
                });
                continue;
            }
            match self.item(target, &verdict, action, &fit, &job).await? {
                Ok(outcome) => {
                    in_a_row = 0;
                    match outcome {
                        Outcome::Created => report.created += 1,
                        Outcome::Updated => report.updated += 1,
                        Outcome::Dismissed => report.dismissed += 1,
                    }
                }
                Err(err) => {
                    report.failed += 1;
                    tracing::warn!(
                        event = "notion_item_failed",
                        profile = %target.profile,
                        job_uid = %job.uid.as_str(),
                        reason = %err,
                    );
                    // Re-read: the page may have been adopted before the failure.
                    let current = self
                        .deps
                        .store
                        .fit(&job.uid, &target.profile)
                        .await?
                        .map_or_else(|| fit.link.clone(), |f| f.link);
                    let link = SinkLink {
                        last_error: Some(err.to_string()),
                        ..current
                    };
                    self.deps
                        .store
                        .save_link(&job.uid, &target.profile, &link)
                        .await?;
                    in_a_row += 1;
                    if in_a_row >= self.policy.max_consecutive_failures {
                        return Ok(Err(ProfileSyncError::TooManyFailures(in_a_row)));
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    /// One (job, profile): create, adopt or update its page.
    async fn item(
        &self,
        target: &SyncTarget,
        verdict: &SchemaVerdict,
        action: SyncAction,
        fit: &FitRecord,
        job: &ScoringRow,
    ) -> Result<Result<Outcome, SinkError>, StoreError> {
        let sink = &self.deps.sink;
        let store = &self.deps.store;
        let key = PageKey {
            job_uid: job.uid.as_str().to_string(),
            profile: target.shared.then(|| target.profile.clone()),
        };
        let save = |page_id: String, dismissed: bool| SinkLink {
            page_id: Some(page_id),
            last_sync: Some(self.deps.clock.now()),
            last_error: None,
            dismissed,
            closed: Some(job.closed),
        };
        let existing = match (&fit.link.page_id, action) {
            (Some(id), SyncAction::Update) => Some(id.clone()),
            _ => {
                // Without a stored id, look for the page first: a crashed run may have
                // created it.
                match sink.find(&target.data_source, &key).await {
                    Err(e) => return Ok(Err(e)),
                    Ok(Some(page)) if page.dismissed => {
                        store
                            .save_link(&job.uid, &target.profile, &save(page.id, true))
                            .await?;
                        return Ok(Ok(Outcome::Dismissed));
                    }
                    Ok(Some(page)) => {
                        store
                            .save_link(
                                &job.uid,
                                &target.profile,
                                &SinkLink {
                                    page_id: Some(page.id.clone()),
                                    ..fit.link.clone()
                                },
                            )
                            .await?;
                        Some(page.id)
                    }
                    Ok(None) => None,
                }
            }
        };
        if let Some(page_id) = existing {
            let props = page_properties(fit, job, &verdict.present, false);
            return match sink.update(&page_id, &props).await {
                Ok(UpdateOutcome::Updated) => {
                    store
                        .save_link(&job.uid, &target.profile, &save(page_id, false))
                        .await?;
                    Ok(Ok(Outcome::Updated))
                }
                Ok(UpdateOutcome::Dismissed) => {
                    store
                        .save_link(&job.uid, &target.profile, &save(page_id, true))
                        .await?;
                    Ok(Ok(Outcome::Dismissed))
                }
                Err(e) => Ok(Err(e)),
            };
        }
        let props = page_properties(fit, job, &verdict.present, true);
        match sink.create(&target.data_source, &props).await {
            Ok(page_id) => {
                store
                    .save_link(&job.uid, &target.profile, &save(page_id, false))
                    .await?;
                Ok(Ok(Outcome::Created))
            }
            Err(SinkError::Unavailable(reason)) => {
                // The create may have landed: re-query by key before anything else.
                match sink.find(&target.data_source, &key).await {
                    Ok(Some(page)) => {
                        let dismissed = page.dismissed;
                        store
                            .save_link(&job.uid, &target.profile, &save(page.id, dismissed))
                            .await?;
                        Ok(Ok(if dismissed {
                            Outcome::Dismissed
                        } else {
                            Outcome::Created
                        }))
                    }
                    // Not there: it is safe to create once more.
                    Ok(None) => match sink.create(&target.data_source, &props).await {
                        Ok(page_id) => {
                            store
                                .save_link(&job.uid, &target.profile, &save(page_id, false))
                                .await?;
                            Ok(Ok(Outcome::Created))
                        }
                        Err(e) => Ok(Err(e)),
                    },
                    Err(_) => Ok(Err(SinkError::Unavailable(reason))),
                }
            }
            Err(e) => Ok(Err(e)),
        }
    }
}
