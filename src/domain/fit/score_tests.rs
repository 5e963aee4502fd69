//! Tests of fit scoring: hard rules, weights, classes and the properties the issue names.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::domain::fit::profile::MinSalary;
use crate::domain::fit::{JobAnalysis, Vocabulary};
use crate::domain::salary::{PayPeriod, Salary, SalaryFigures, SalaryProvenance};

static VOCAB: std::sync::LazyLock<Vocabulary> =
    std::sync::LazyLock::new(|| Vocabulary::builtin().unwrap());

fn vocab() -> &'static Vocabulary {
    &VOCAB
}

fn skills(names: &[&str]) -> BTreeSet<Skill> {
    let v = vocab();
    names
        .iter()
        .map(|n| {
            v.normalize(n)
                .unwrap_or_else(|| panic!("{n} not in vocabulary"))
        })
        .collect()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn analysis(required: &[&str], nice: &[&str], title: &str) -> JobAnalysis {
    JobAnalysis {
        required: skills(required),
        nice_to_have: skills(nice),
        title_skills: BTreeSet::new(),
        seniority: crate::domain::fit::Seniority::from_title(title),
        years_required: None,
        title_terms: crate::domain::fit::title_terms(title),
    }
}

fn profile() -> ProfileModel {
    ProfileModel {
        cv_skills: skills(&["rust", "postgres", "kubernetes", "python"]),
        target_titles: vec![crate::domain::fit::title_terms("Backend Engineer")],
        seniority: Some(crate::domain::fit::Seniority::Senior),
        years_experience: Some(8),
        locations: vec!["berlin".into()],
        ..ProfileModel::default()
    }
}

struct Job {
    title: String,
    company: Option<String>,
    location: Option<String>,
    workplace: Option<WorkplaceType>,
    text: String,
    closed: bool,
    analysis: JobAnalysis,
    salary: Option<Salary>,
}

impl Job {
    fn new(title: &str, required: &[&str]) -> Job {
        Job {
            title: title.into(),
            company: Some("Acme".into()),
            location: Some("Berlin, Germany".into()),
            workplace: Some(WorkplaceType::Hybrid),
            text: format!("{} we use {}", title.to_lowercase(), required.join(" ")),
            closed: false,
            analysis: analysis(required, &[], title),
            salary: None,
        }
    }

    fn facts(&self) -> JobFacts<'_> {
        JobFacts {
            title: &self.title,
            company: self.company.as_deref(),
            company_slug: "acme",
            location: self.location.as_deref(),
            workplace: self.workplace,
            text_lower: &self.text,
            closed: self.closed,
            posted_at: Some(now() - chrono::Duration::days(3)),
            first_seen_at: now() - chrono::Duration::days(2),
            analysis: &self.analysis,
            salary: self.salary.as_ref(),
        }
    }

    fn score(&self, p: &ProfileModel) -> Fit {
        score(p, &self.facts(), &SkillWeights::default(), now())
    }
}

fn salary(min: f64, max: f64, currency: &str) -> Salary {
    Salary::from_figures(
        &SalaryFigures {
            min: Some(min),
            max: Some(max),
            currency: Some(currency.into()),
            period: Some(PayPeriod::Year),
        },
        SalaryProvenance::Structured,
    )
    .unwrap()
}

#[test]
fn a_matching_job_is_good_and_says_why() {
    let mut job = Job::new(
        "Senior Backend Engineer",
        &["rust", "postgres", "kubernetes"],
    );
    job.salary = Some(salary(90_000.0, 110_000.0, "EUR"));
    let fit = job.score(&profile());
    assert_eq!(fit.class, FitClass::Good, "{fit:#?}");
    assert!(fit.score >= 75);
    assert_eq!(fit.reasons.matched_skills.len(), 3);
    assert_eq!(fit.reasons.title_match.as_deref(), Some("backend engineer"));
    let why = fit.why();
    assert!(why.contains("skills") && why.contains("title"), "{why}");
    let total: f64 = fit.reasons.parts.iter().map(|p| p.max).sum();
    assert_eq!(total, 100.0);
}

#[test]
fn an_unrelated_job_is_no() {
    let job = Job::new("Account Executive", &["salesforce", "excel"]);
    let fit = job.score(&profile());
    assert_eq!(fit.class, FitClass::No, "{fit:#?}");
}

#[test]
fn classes_follow_the_python_thresholds() {
    assert_eq!(FitClass::from_score(75), FitClass::Good);
    assert_eq!(FitClass::from_score(74), FitClass::Maybe);
    assert_eq!(FitClass::from_score(60), FitClass::Maybe);
    assert_eq!(FitClass::from_score(59), FitClass::No);
    assert_eq!(FitClass::parse_loose(" good "), Some(FitClass::Good));
}

#[test]
fn hard_rules_exclude_with_a_named_flag() {
    let base = Job::new("Senior Backend Engineer", &["rust", "postgres"]);
    type Setup = Box<dyn Fn(&mut Job, &mut ProfileModel)>;
    let cases: Vec<(&str, Setup)> = vec![
        ("excluded:closed", Box::new(|j, _| j.closed = true)),
        (
            "excluded:company",
            Box::new(|_, p| p.exclude_companies = vec!["acme".into()]),
        ),
        (
            "excluded:keyword",
            Box::new(|j, p| {
                j.text.push_str(" requires an active security clearance");
                p.exclude_keywords = vec!["security clearance".into()];
            }),
        ),
        (
            "excluded:remote_required",
            Box::new(|j, p| {
                p.remote = RemotePreference::Required;
                j.location = Some("Munich".into());
                j.workplace = Some(WorkplaceType::OnSite);
            }),
        ),
        (
            "excluded:salary_below_minimum",
            Box::new(|j, p| {
                j.salary = Some(salary(40_000.0, 50_000.0, "EUR"));
                p.min_salary = Some(MinSalary {
                    amount: 90_000.0,
                    currency: "EUR".into(),
                    period: PayPeriod::Year,
                });
            }),
        ),
    ];
    for (flag, apply) in cases {
        let mut job = Job::new(&base.title, &["rust", "postgres"]);
        let mut p = profile();
        apply(&mut job, &mut p);
        let fit = job.score(&p);
        assert_eq!((fit.score, fit.class), (0, FitClass::No), "{flag}");
        assert!(
            fit.flags.iter().any(|f| f == flag),
            "{flag} not in {:?}",
            fit.flags
        );
        assert!(fit.why().starts_with(flag), "{}", fit.why());
    }
}

#[test]
fn keyword_exclusion_is_on_word_boundaries() {
    let mut p = profile();
    p.exclude_keywords = vec!["java".into()];
    let mut job = Job::new("Senior Backend Engineer", &["rust"]);
    job.text = "we write javascript and rust".into();
    assert!(!job.score(&p).flags.iter().any(|f| f == "excluded:keyword"));
    job.text = "we write java, and rust".into();
    assert!(job.score(&p).flags.iter().any(|f| f == "excluded:keyword"));
}

#[test]
fn salary_just_below_the_minimum_is_a_soft_penalty_and_currencies_compare() {
    let mut p = profile();
    p.min_salary = Some(MinSalary {
        amount: 100_000.0,
        currency: "USD".into(),
        period: PayPeriod::Year,
    });
    let mut job = Job::new("Senior Backend Engineer", &["rust"]);
    job.salary = Some(salary(80_000.0, 88_000.0, "USD"));
    let fit = job.score(&p);
    assert!(fit.score > 0);
    assert!(fit.flags.iter().any(|f| f == "salary_below_minimum"));
    // 95k EUR is more than 100k USD at the rough rate.
    job.salary = Some(salary(90_000.0, 95_000.0, "EUR"));
    assert!(!job.score(&p).flags.iter().any(|f| f.contains("salary")));
}

#[test]
fn soft_penalties_are_named() {
    let mut p = profile();
    p.must_have = skills(&["go"]);
    let job = Job::new("Staff Engineer Intern", &["rust"]);
    let fit = job.score(&p);
    for flag in ["missing_salary", "missing_must_have:go"] {
        assert!(
            fit.flags.iter().any(|f| f == flag),
            "{flag} not in {:?}",
            fit.flags
        );
    }
    let mut old = Job::new("Senior Backend Engineer", &["rust"]);
    old.analysis.seniority = Some(crate::domain::fit::Seniority::Intern);
    let mut facts = old.facts();
    facts.posted_at = Some(now() - chrono::Duration::days(90));
    let fit = score(&profile(), &facts, &SkillWeights::default(), now());
    assert!(
        fit.flags.iter().any(|f| f == "stale_posting"),
        "{:?}",
        fit.flags
    );
    assert!(
        fit.flags.iter().any(|f| f == "seniority_mismatch"),
        "{:?}",
        fit.flags
    );
}

#[test]
fn rarer_skills_weigh_more() {
    let v = vocab();
    let (rust, git) = (v.normalize("rust").unwrap(), v.normalize("git").unwrap());
    let weights = SkillWeights::from_frequencies(1000, [(&rust, 10), (&git, 900)]);
    assert!(weights.weight(&rust) > weights.weight(&git));
    let mut p = profile();
    p.cv_skills = skills(&["rust"]);
    let job = Job::new("Backend Engineer", &["rust", "git"]);
    let with_rare = score(&p, &job.facts(), &weights, now());
    p.cv_skills = skills(&["git"]);
    let with_common = score(&p, &job.facts(), &weights, now());
    assert!(
        with_rare.score > with_common.score,
        "{} vs {}",
        with_rare.score,
        with_common.score
    );
}

#[test]
fn must_haves_weigh_most() {
    let mut p = profile();
    p.cv_skills = skills(&["rust", "python"]);
    let job = Job::new("Backend Engineer", &["rust", "python", "terraform", "aws"]);
    let plain = job.score(&p);
    p.must_have = skills(&["rust"]);
    let must = job.score(&p);
    assert!(
        must.score > plain.score,
        "{} vs {}",
        must.score,
        plain.score
    );
}

const POOL: [&str; 12] = [
    "rust",
    "python",
    "go",
    "kubernetes",
    "postgres",
    "aws",
    "terraform",
    "react",
    "java",
    "kafka",
    "docker",
    "sql",
];

fn subset() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(POOL.to_vec(), 0..POOL.len())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn score_is_bounded_deterministic_and_classed(
        cv in subset(), required in subset(), nice in subset(),
        remote in 0usize..4, workplace in 0usize..4, closed in any::<bool>(),
    ) {
        let mut p = profile();
        p.cv_skills = skills(&cv);
        p.remote = [RemotePreference::Required, RemotePreference::Preferred, RemotePreference::Any, RemotePreference::OnsiteOk][remote];
        let mut job = Job::new("Senior Backend Engineer", &required);
        job.analysis.nice_to_have = skills(&nice);
        job.workplace = [None, Some(WorkplaceType::OnSite), Some(WorkplaceType::Hybrid), Some(WorkplaceType::Remote)][workplace];
        job.closed = closed;
        let a = job.score(&p);
        let b = job.score(&p);
        prop_assert!(a.score <= 100);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.class, FitClass::from_score(a.score));
        if closed {
            prop_assert_eq!(a.score, 0);
        }
    }

    #[test]
    fn adding_a_required_skill_to_the_cv_never_lowers_the_score(
        cv in subset(), required in subset(), added in 0usize..POOL.len(),
    ) {
        let job = Job::new("Senior Backend Engineer", &required);
        let mut p = profile();
        p.cv_skills = skills(&cv);
        let before = job.score(&p).score;
        p.cv_skills.extend(skills(&[POOL[added]]));
        let after = job.score(&p).score;
        prop_assert!(after >= before, "{} -> {}", before, after);
    }

    #[test]
    fn an_excluded_keyword_always_excludes(
        cv in subset(), required in subset(), keyword in "[a-z]{3,10}( [a-z]{3,10})?",
        prefix in "[a-z ,.]{0,30}",
    ) {
        let mut p = profile();
        p.cv_skills = skills(&cv);
        p.exclude_keywords = vec![keyword.clone()];
        let mut job = Job::new("Senior Backend Engineer", &required);
        job.text = format!("{prefix} {keyword}. more text");
        let fit = job.score(&p);
        prop_assert_eq!(fit.score, 0);
        prop_assert_eq!(fit.class, FitClass::No);
        prop_assert!(fit.flags.iter().any(|f| f == "excluded:keyword"));
    }
}
