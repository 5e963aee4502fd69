//! The score use case: analyse each profile's CV and each job's text (once per content),
//! then score every stale (profile, job) pair and store the fits.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use super::profiles::{ProfileDir, ProfilePreferences};
use crate::adapters::cv;
use crate::adapters::enrich::DeterministicEnricher;
use crate::domain::fit::insight::merge;
use crate::domain::fit::score::is_stale;
use crate::domain::fit::{
    CvAnalysis, JobAnalysis, JobFacts, JobInsight, PreferenceTerms, ProfileModel, SCORER_VERSION,
    Seniority, Skill, SkillOrigin, SkillWeights, Vocabulary, VocabularyError, analyze_cv, score,
};
use crate::domain::salary::Salary;
use crate::domain::{AtsKind, JobUid};
use crate::ports::{
    Clock, FitRecord, FitStore, JobEnrichment, JobSource, ScoringRow, SinkLink, StoreError,
    StoredProfile,
};

/// Bumped whenever job or CV analysis changes in code, so stored analyses are redone.
pub const ANALYZER_VERSION: u32 = 1;

/// Jobs per page read from the store.
const PAGE: usize = 1000;

/// The adapters and clock scoring works through.
#[derive(Clone)]
pub struct ScoreDeps {
    pub fits: Arc<dyn FitStore>,
    /// The providers' adapters, for the pay their payloads state in structured fields.
    pub sources: HashMap<AtsKind, Arc<dyn JobSource>>,
    pub clock: Arc<dyn Clock>,
}

/// Scoring could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the skills vocabulary is invalid: {0}")]
    Vocabulary(#[from] VocabularyError),
    #[error("an analysis task failed: {0}")]
    Task(String),
}

/// What `profile_json` holds: the CV's analysis and the model the scorer uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileAnalysis {
    pub cv: CvAnalysis,
    pub model: ProfileModel,
    /// Preference skills the vocabulary does not know (ignored when scoring).
    pub unknown_terms: Vec<String>,
}

/// How one profile's preparation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileStatus {
    /// The CV (or the preferences, or the analyzer) changed: analysed now.
    Analyzed,
    /// Nothing changed since the stored analysis.
    Reused,
    Failed(String),
}

/// One profile's part of a scoring run.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileOutcome {
    pub key: String,
    pub status: ProfileStatus,
    pub analysis: Option<ProfileAnalysis>,
    pub scored: u64,
    pub unchanged: u64,
}

/// What a scoring run did; logged as `score_done`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreReport {
    pub profiles: Vec<ProfileOutcome>,
    /// Jobs whose text was analysed this run (new or changed content).
    pub analyzed_jobs: u64,
    /// (profile, job) pairs computed this run.
    pub scored: u64,
    /// Pairs whose inputs had not changed.
    pub unchanged: u64,
}

/// How analysing one profile went, and the row to store (`None`: the stored one is current).
struct ProfileRun {
    status: ProfileStatus,
    analysis: Option<ProfileAnalysis>,
    row: Option<StoredProfile>,
}

/// A profile ready to score with.
struct Prepared {
    index: usize,
    key: String,
    model: ProfileModel,
    /// Identity of everything the profile contributes to a fit.
    hash: String,
    stored_hashes: HashMap<JobUid, String>,
}

fn sha1_hex(parts: &[&str]) -> String {
    use std::io::Write;
    let mut h = Sha1::new();
    for p in parts {
        // The length in decimal, written without allocating: this runs per (profile, job).
        let mut digits = [0u8; 20];
        let mut rest = &mut digits[..];
        let _ = write!(rest, "{}", p.len());
        let written = 20 - rest.len();
        h.update(&digits[..written]);
        h.update(b":");
        h.update(p.as_bytes());
    }
    crate::domain::hex(&h.finalize())
}

/// The vocabulary: the shipped one extended with every profile's extra skills, and the
/// analyzer version that identifies it (code version, shipped file and extras).
pub fn vocabulary(profiles: &[ProfileDir]) -> Result<(Vocabulary, u32), VocabularyError> {
    let mut extras: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for p in profiles {
        for (skill, aliases) in &p.preferences.extra_skills {
            extras
                .entry(skill.as_str())
                .or_default()
                .extend(aliases.iter().map(String::as_str));
        }
    }
    let mut vocab = Vocabulary::builtin()?;
    let mut text = String::new();
    for (skill, aliases) in &extras {
        let quoted: Vec<String> = aliases.iter().map(|a| toml_string(a)).collect();
        text.push_str(&format!(
            "[skills.{}]\naliases = [{}]\n",
            toml_string(skill),
            quoted.join(", ")
        ));
    }
    if !text.is_empty() {
        vocab.extend(&Vocabulary::from_toml(&text)?);
    }
    let id = sha1_hex(&[
        &ANALYZER_VERSION.to_string(),
        crate::domain::fit::skills::BUILTIN,
        &text,
    ]);
    // 31 bits of the identity: it fits every backend's INT column.
    let version = u32::from_str_radix(&id[..8], 16).unwrap_or(ANALYZER_VERSION) & 0x7fff_ffff;
    Ok((vocab, version))
}

/// A TOML basic string: quotes and backslashes escaped, control characters dropped.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn terms(prefs: &ProfilePreferences) -> PreferenceTerms<'_> {
    PreferenceTerms {
        target_titles: &prefs.target_titles,
        seniority: prefs.seniority.as_deref().and_then(Seniority::parse_loose),
        locations: &prefs.locations,
        remote: prefs.remote,
        min_salary: prefs.min_salary.clone(),
        must_have: &prefs.must_have,
        nice_to_have: &prefs.nice_to_have,
        exclude_keywords: &prefs.exclude_keywords,
        exclude_companies: &prefs.exclude_companies,
    }
}

/// The LLM's answer for a job, when one is stored for its current content.
fn current_insight(row: &ScoringRow) -> Option<(&JobInsight, &str)> {
    let llm = row.llm.as_ref()?;
    let insight = llm.insight.as_ref()?;
    (llm.content_hash == row.content_hash).then_some((insight, llm.model.as_str()))
}

/// What scoring reads of a job's enrichment: the deterministic analysis, with the LLM's
/// skills (and its salary, when the posting states none) added when it has an answer.
struct JobView<'a> {
    analysis: std::borrow::Cow<'a, JobAnalysis>,
    salary: Option<&'a Salary>,
    origins: BTreeMap<Skill, SkillOrigin>,
    /// The LLM's model and the identity of its answer, for the fit's input hash.
    llm: Option<(&'a str, String)>,
}

fn job_view<'a>(row: &'a ScoringRow, e: &'a JobEnrichment) -> JobView<'a> {
    let Some((insight, model)) = current_insight(row) else {
        return JobView {
            analysis: std::borrow::Cow::Borrowed(&e.analysis),
            salary: e.salary.as_ref(),
            origins: BTreeMap::new(),
            llm: None,
        };
    };
    let (analysis, origins) = merge(&e.analysis, insight);
    let identity = sha1_hex(&[model, &serde_json::to_string(insight).unwrap_or_default()]);
    JobView {
        analysis: std::borrow::Cow::Owned(analysis),
        salary: e.salary.as_ref().or(insight.salary.as_ref()),
        origins,
        llm: Some((model, identity)),
    }
}

impl ScoreDeps {
    /// Analyses (or reuses) each profile; a profile whose CV cannot be read records
    /// `last_error` and is left out, and the others go on.
    async fn prepare(
        &self,
        dirs: &[ProfileDir],
        vocab: &Arc<Vocabulary>,
        analyzer: u32,
        outcomes: &mut Vec<ProfileOutcome>,
    ) -> Result<Vec<Prepared>, ScoreError> {
        let stored: HashMap<String, StoredProfile> = self
            .fits
            .profiles()
            .await?
            .into_iter()
            .map(|p| (p.key.clone(), p))
            .collect();
        let mut ready = Vec::new();
        for dir in dirs {
            let key = dir.key.as_str().to_string();
            let prefs_hash = dir.preferences.preferences_hash();
            let ProfileRun {
                status,
                analysis,
                row,
            } = self
                .analyse_profile(dir, stored.get(&key), vocab, analyzer, &prefs_hash)
                .await;
            if let Some(row) = &row {
                self.fits.save_profile(row).await?;
            }
            match &status {
                ProfileStatus::Failed(error) => {
                    tracing::warn!(
                        event = "profile_failed",
                        profile = key.as_str(),
                        error = error.as_str()
                    );
                }
                ProfileStatus::Analyzed => {
                    tracing::info!(
                        event = "profile_analyzed",
                        profile = key.as_str(),
                        skills = analysis.as_ref().map_or(0, |a| a.cv.skills.len()) as u64,
                    );
                }
                ProfileStatus::Reused => {}
            }
            if let (Some(a), Some(row)) = (&analysis, row.as_ref().or_else(|| stored.get(&key))) {
                let hash = sha1_hex(&[
                    row.cv_sha256.as_deref().unwrap_or_default(),
                    &prefs_hash,
                    &analyzer.to_string(),
                ]);
                ready.push(Prepared {
                    index: outcomes.len(),
                    key: key.clone(),
                    model: a.model.clone(),
                    hash,
                    stored_hashes: self.fits.fit_hashes(&key).await?,
                });
            }
            outcomes.push(ProfileOutcome {
                key,
                status,
                analysis,
                scored: 0,
                unchanged: 0,
            });
        }
        Ok(ready)
    }

    /// The profile's analysis, and the row to store (`None`: the stored one is current).
    async fn analyse_profile(
        &self,
        dir: &ProfileDir,
        stored: Option<&StoredProfile>,
        vocab: &Arc<Vocabulary>,
        analyzer: u32,
        prefs_hash: &str,
    ) -> ProfileRun {
        let now = self.clock.now();
        let mut row = StoredProfile {
            key: dir.key.as_str().to_string(),
            cv_path: String::new(),
            cv_sha256: None,
            preferences_hash: prefs_hash.to_string(),
            analyzer_version: analyzer,
            profile_json: None,
            analyzed_at: None,
            last_error: None,
        };
        let failed = |mut row: StoredProfile, message: String| {
            row.last_error = Some(message.clone());
            if let Some(old) = stored {
                // Keep the last good analysis: scoring simply skips this profile.
                row.profile_json = old.profile_json.clone();
                row.analyzed_at = old.analyzed_at;
            }
            ProfileRun {
                status: ProfileStatus::Failed(message),
                analysis: None,
                row: Some(row),
            }
        };
        let path = match &dir.cv_path {
            Ok(path) => path.clone(),
            Err(e) => return failed(row, e.to_string()),
        };
        row.cv_path = path.display().to_string();
        let blocking_path = path.clone();
        let sha = match tokio::task::spawn_blocking(move || cv::sha256_file(&blocking_path)).await {
            Ok(Ok(sha)) => sha,
            Ok(Err(e)) => return failed(row, e.to_string()),
            Err(e) => return failed(row, e.to_string()),
        };
        row.cv_sha256 = Some(sha.clone());
        if let Some(old) = stored
            && old.cv_sha256.as_deref() == Some(sha.as_str())
            && old.preferences_hash == prefs_hash
            && old.analyzer_version == analyzer
            && old.last_error.is_none()
            && let Some(analysis) = old
                .profile_json
                .as_deref()
                .and_then(|j| serde_json::from_str::<ProfileAnalysis>(j).ok())
        {
            return ProfileRun {
                status: ProfileStatus::Reused,
                analysis: Some(analysis),
                row: None,
            };
        }
        let (vocab, prefs) = (vocab.clone(), dir.preferences.clone());
        let year = now.year();
        let analysed = tokio::task::spawn_blocking(move || {
            let text = cv::extract_text(&path)?;
            let cv = analyze_cv(&vocab, &text, year);
            let (model, unknown_terms) = ProfileModel::build(&vocab, &cv, &terms(&prefs));
            Ok::<_, cv::CvError>(ProfileAnalysis {
                cv,
                model,
                unknown_terms,
            })
        })
        .await;
        let analysis = match analysed {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => return failed(row, e.to_string()),
            Err(e) => return failed(row, e.to_string()),
        };
        row.profile_json = serde_json::to_string(&analysis).ok();
        row.analyzed_at = Some(now);
        ProfileRun {
            status: ProfileStatus::Analyzed,
            analysis: Some(analysis),
            row: Some(row),
        }
    }

    /// Analyses every job whose stored analysis is missing or stale, a page at a time.
    async fn analyse_jobs(
        &self,
        vocab: &Arc<Vocabulary>,
        analyzer: u32,
    ) -> Result<u64, ScoreError> {
        let mut analysed = 0u64;
        // While a page is analysed, the previous page's analyses are written and the next
        // page is read.
        let mut unsaved: Vec<JobEnrichment> = Vec::new();
        let mut page = self.fits.jobs_to_analyze(None, PAGE, analyzer).await?;
        while let Some(last) = page.last() {
            let after = last.uid.clone();
            let enricher = DeterministicEnricher::new(vocab.clone(), self.sources.clone());
            let now = self.clock.now();
            let analysis = tokio::task::spawn_blocking(move || {
                super::parallel::map(&page, |job| {
                    let (analysis, salary) = enricher.analyse(job);
                    JobEnrichment {
                        uid: job.uid.clone(),
                        content_hash: job.content_hash.clone(),
                        analyzer_version: analyzer,
                        analysis,
                        salary,
                        enriched_at: now,
                    }
                })
            });
            let (saved, next) = tokio::join!(
                self.fits.save_enrichments(&unsaved),
                self.fits.jobs_to_analyze(Some(&after), PAGE, analyzer)
            );
            let rows = analysis
                .await
                .map_err(|e| ScoreError::Task(e.to_string()))?;
            saved?;
            page = next?;
            analysed += rows.len() as u64;
            unsaved = rows;
        }
        self.fits.save_enrichments(&unsaved).await?;
        Ok(analysed)
    }

    /// One read of every job: how many open, analysed jobs mention each skill (the rarity
    /// weights), how many pairs are unchanged, and where the pages with due pairs start, so
    /// that scoring reads only those again (none, when nothing changed).
    async fn survey(
        &self,
        profiles: &[Prepared],
        now: DateTime<Utc>,
        all: bool,
        report: &mut ScoreReport,
    ) -> Result<Survey, ScoreError> {
        let mut df: HashMap<Skill, u64> = HashMap::new();
        let mut documents = 0u64;
        let mut due_pages = Vec::new();
        let mut after: Option<JobUid> = None;
        loop {
            let page = self.fits.scoring_rows(after.as_ref(), PAGE).await?;
            let Some(last) = page.last() else { break };
            let views = job_views(&page);
            let due = due_pairs(&page, &views, profiles, now, all);
            let analysed = views.iter().flatten().count() as u64;
            for (p, profile) in profiles.iter().enumerate() {
                let scored = due.iter().filter(|(_, q, _)| *q == p).count() as u64;
                report.profiles[profile.index].unchanged += analysed - scored;
                report.unchanged += analysed - scored;
            }
            if !due.is_empty() {
                due_pages.push(after.clone());
            }
            for (row, view) in page.iter().zip(&views) {
                let Some(view) = view.as_ref().filter(|_| !row.closed) else {
                    continue;
                };
                documents += 1;
                let a = &view.analysis;
                let mentioned: std::collections::BTreeSet<_> = a
                    .required
                    .iter()
                    .chain(&a.nice_to_have)
                    .chain(&a.title_skills)
                    .collect();
                for skill in mentioned {
                    *df.entry(skill.clone()).or_insert(0) += 1;
                }
            }
            after = Some(last.uid.clone());
        }
        Ok(Survey {
            weights: SkillWeights::from_frequencies(documents, df.iter().map(|(s, n)| (s, *n))),
            due_pages,
        })
    }
}

/// What the survey of every job found.
struct Survey {
    weights: SkillWeights,
    /// The cursor each page with due pairs starts after.
    due_pages: Vec<Option<JobUid>>,
}

fn job_views(page: &[ScoringRow]) -> Vec<Option<JobView<'_>>> {
    page.iter()
        .map(|row| row.enrichment.as_ref().map(|e| job_view(row, e)))
        .collect()
}

/// (row, profile, input hash) of the pairs whose stored fit is missing or stale (every
/// analysed pair with `all`).
fn due_pairs(
    page: &[ScoringRow],
    views: &[Option<JobView<'_>>],
    profiles: &[Prepared],
    now: DateTime<Utc>,
    all: bool,
) -> Vec<(usize, usize, String)> {
    let scorer_part = SCORER_VERSION.to_string();
    let mut due = Vec::new();
    for (r, row) in page.iter().enumerate() {
        let (Some(e), Some(view)) = (&row.enrichment, &views[r]) else {
            continue;
        };
        let stale = if is_stale(row.posted_at, row.first_seen_at, now) {
            "stale"
        } else {
            "fresh"
        };
        let closed = if row.closed { "closed" } else { "open" };
        let analyzer_part = e.analyzer_version.to_string();
        for (p, profile) in profiles.iter().enumerate() {
            let parts = [
                profile.hash.as_str(),
                row.content_hash.as_str(),
                &analyzer_part,
                closed,
                stale,
                &scorer_part,
                view.llm
                    .as_ref()
                    .map_or("", |(_, identity)| identity.as_str()),
            ];
            // The LLM part only with an answer, so that without one every hash stays as it was.
            let used = if view.llm.is_some() { 7 } else { 6 };
            let input = sha1_hex(&parts[..used]);
            if all || profile.stored_hashes.get(&row.uid) != Some(&input) {
                due.push((r, p, input));
            }
        }
    }
    due
}

/// A page's fits being written.
type Saving = tokio::task::JoinHandle<Result<(), StoreError>>;

/// Waits for the write in flight, if any.
async fn finish(saving: Option<Saving>) -> Result<(), ScoreError> {
    let Some(saving) = saving else { return Ok(()) };
    let saved = saving.await.map_err(|e| ScoreError::Task(e.to_string()))?;
    Ok(saved?)
}

/// Runs scoring for `dirs`: every stale pair, or every pair with `all`.
///
/// # Errors
/// When the store fails; a profile whose CV cannot be read is recorded, not an error.
pub async fn run(
    deps: &ScoreDeps,
    dirs: &[ProfileDir],
    all: bool,
) -> Result<ScoreReport, ScoreError> {
    let (vocab, analyzer) = vocabulary(dirs)?;
    let vocab = Arc::new(vocab);
    let mut report = ScoreReport::default();
    let profiles = deps
        .prepare(dirs, &vocab, analyzer, &mut report.profiles)
        .await?;
    report.analyzed_jobs = deps.analyse_jobs(&vocab, analyzer).await?;
    let now = deps.clock.now();
    let survey = deps.survey(&profiles, now, all, &mut report).await?;
    let weights = survey.weights;
    // A page's fits are written while the next page is read and scored.
    let mut saving: Option<Saving> = None;
    for start in survey.due_pages {
        let page = deps.fits.scoring_rows(start.as_ref(), PAGE).await?;
        let views = job_views(&page);
        let due = due_pairs(&page, &views, &profiles, now, all);
        if due.is_empty() {
            continue;
        }
        // Exclusion keywords read the whole text: fetch it only when a profile has some.
        let need_text: Vec<JobUid> = due
            .iter()
            .filter(|(_, p, _)| !profiles[*p].model.exclude_keywords.is_empty())
            .map(|(r, _, _)| page[*r].uid.clone())
            .collect();
        let texts = if need_text.is_empty() {
            HashMap::new()
        } else {
            deps.fits.descriptions(&need_text).await?
        };
        // Each row's lowered text once, then every due pair; both spread over the cores.
        let mut rows_due: Vec<usize> = due.iter().map(|(r, _, _)| *r).collect();
        rows_due.dedup();
        let lowered: HashMap<usize, String> = super::parallel::map(&rows_due, |&r| {
            let row = &page[r];
            let body = texts.get(&row.uid).map_or("", String::as_str);
            (r, format!("{}\n{}", row.title, body).to_lowercase())
        })
        .into_iter()
        .collect();
        let scored = super::parallel::map(&due, |(r, p, input)| {
            let row = &page[*r];
            let view = views[*r].as_ref()?;
            let facts = JobFacts {
                title: &row.title,
                company: row.company.as_deref(),
                company_slug: row.source.slug.as_str(),
                location: row.location.as_deref(),
                workplace: row.workplace,
                text_lower: lowered.get(r).map_or("", String::as_str),
                closed: row.closed,
                posted_at: row.posted_at,
                first_seen_at: row.first_seen_at,
                analysis: &view.analysis,
                salary: view.salary,
            };
            let profile = &profiles[*p];
            let mut fit = score(&profile.model, &facts, &weights, now);
            if let Some((model, _)) = &view.llm {
                let r = &mut fit.reasons;
                r.skill_origins = (r.matched_skills.iter().chain(&r.missing_skills))
                    .filter_map(|s| view.origins.get(s).map(|o| (s.clone(), *o)))
                    .collect();
                r.llm_model = Some((*model).to_string());
            }
            let record = FitRecord {
                uid: row.uid.clone(),
                profile: profile.key.clone(),
                fit,
                scorer_version: SCORER_VERSION,
                input_hash: input.clone(),
                computed_at: now,
                link: SinkLink::default(),
            };
            Some((*p, record))
        });
        let mut fits = Vec::with_capacity(scored.len());
        for (p, record) in scored.into_iter().flatten() {
            report.profiles[profiles[p].index].scored += 1;
            fits.push(record);
        }
        report.scored += fits.len() as u64;
        finish(saving.take()).await?;
        let store = deps.fits.clone();
        saving = Some(tokio::spawn(async move { store.save_fits(&fits).await }));
    }
    finish(saving).await?;
    tracing::info!(
        event = "score_done",
        profiles = profiles.len() as u64,
        profiles_failed = report
            .profiles
            .iter()
            .filter(|p| matches!(p.status, ProfileStatus::Failed(_)))
            .count() as u64,
        analyzed_jobs = report.analyzed_jobs,
        scored = report.scored,
        unchanged = report.unchanged,
    );
    Ok(report)
}
