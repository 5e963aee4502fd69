use std::collections::BTreeSet;
use std::sync::LazyLock;

use proptest::prelude::*;

use super::*;

static VOCAB: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::builtin().expect("the embedded vocabulary parses"));

fn set(names: &[&str]) -> BTreeSet<Skill> {
    names
        .iter()
        .map(|n| {
            VOCAB
                .normalize(n)
                .unwrap_or_else(|| panic!("{n} is a skill"))
        })
        .collect()
}

const JOB: &str = "\
About us
We are a fintech building payment infrastructure. Founded 12 years ago, we now serve 4M users.

What you'll do
- Design and run backend services in Go on Kubernetes
- Own our PostgreSQL schemas and Kafka pipelines

Requirements:
- 5+ years of experience in backend development
- Strong knowledge of Go or Rust
- Experience with AWS and Terraform
- Familiarity with gRPC; GraphQL is a plus

Nice to have
- Experience with Elasticsearch
- Python for tooling (7+ years ideally)
- Kubernetes operators

Benefits
- Annual bonus and a Figma license for everyone
- Learning budget
";

#[test]
fn splits_required_and_nice_to_have_skills() {
    let job = analyze_job(
        &VOCAB,
        "Senior Backend Engineer (Go/Kubernetes) - m/w/d",
        JOB,
    );
    assert_eq!(
        job.required,
        set(&[
            "go",
            "kubernetes",
            "postgresql",
            "kafka",
            "rust",
            "aws",
            "terraform",
            "grpc"
        ])
    );
    assert_eq!(
        job.nice_to_have,
        set(&["graphql", "elasticsearch", "python"])
    );
    assert_eq!(job.title_skills, set(&["go", "kubernetes"]));
    assert_eq!(job.seniority, Some(Seniority::Senior));
    assert_eq!(job.years_required, Some(5));
    assert_eq!(
        job.title_terms,
        vec!["backend", "engineer", "go", "kubernetes"]
    );
}

#[test]
fn text_without_sections_is_required_and_inline_labels_work() {
    let job = analyze_job(
        &VOCAB,
        "Data Engineer",
        "We use Python, Airflow and dbt.\nNice to have: Spark, Scala\nLocation: Berlin, Snowflake office",
    );
    assert_eq!(
        job.required,
        set(&["python", "airflow", "dbt", "snowflake"])
    );
    assert_eq!(job.nice_to_have, set(&["apache spark", "scala"]));
    assert_eq!(job.seniority, None);
    assert_eq!(job.years_required, None);
}

#[test]
fn remarks_mark_only_their_clause_or_parentheses() {
    let job = analyze_job(
        &VOCAB,
        "Platform Engineer",
        "Requirements\n- Docker and Helm (Pulumi is a bonus)\n- Kafka (a plus)\n- Experience with Linux; Ansible preferred",
    );
    assert_eq!(job.required, set(&["docker", "helm", "linux"]));
    assert_eq!(job.nice_to_have, set(&["pulumi", "kafka", "ansible"]));
}

#[test]
fn a_skill_line_is_content_not_a_heading() {
    let text = "Nice to have\n- Terraform\nBonus if you know Rust.\nStartup experience\n- Kafka\nResponsibilities\n- Go services";
    let job = analyze_job(&VOCAB, "Engineer", text);
    assert_eq!(job.nice_to_have, set(&["terraform", "rust", "kafka"]));
    assert_eq!(job.required, set(&["go"]));
}

#[test]
fn title_terms_drop_levels_markers_and_keep_symbols() {
    assert_eq!(
        title_terms("Sr. C++ / .NET Developer (all genders) 2026"),
        vec!["c++", ".net", "developer"]
    );
    assert_eq!(
        title_terms("Entry-Level Node.js Engineer II, Remote"),
        vec!["node.js", "engineer", "remote"]
    );
    assert_eq!(
        title_terms("Lead Data Scientist – Berlin (m/f/d)"),
        vec!["data", "scientist", "berlin"]
    );
}

const CV: &str = "\
Jane Doe
Senior Backend Engineer
jane@example.org · github.com/janedoe

Summary
Backend engineer with 8+ years of experience building distributed systems in Go and Python.

Experience
Senior Backend Engineer — Acme Payments GmbH
03/2019 – present
- Led the migration of 40 services to Kubernetes; built Go microservices on PostgreSQL
- Introduced Terraform and GitHub Actions for CI/CD

Software Engineer at Widget Co
2015 – 2019
- Built Python (Django) APIs backed by PostgreSQL and Redis
- Worked with data scientists on a recommendation engine

Junior Developer, Startup XY (2013 – 2015)
- PHP and JavaScript, later React

Education
BSc Computer Science, TU Berlin, 2009 – 2013

Skills
Go, Python, Kubernetes, PostgreSQL, Kafka, AWS

Languages
English (C2), German (native)
Spanish – basic, Français (B1)
";

#[test]
fn analyses_a_plain_text_cv() {
    let cv = analyze_cv(&VOCAB, CV, 2026);
    assert_eq!(
        cv.titles,
        vec![
            "senior backend engineer",
            "software engineer",
            "junior developer"
        ]
    );
    // 2013 (first job) to 2026 (present); the 2009 degree does not count, 13 > the stated 8.
    assert_eq!(cv.years_experience, Some(13));
    assert_eq!(cv.seniority, Some(Seniority::Senior));
    assert_eq!(cv.languages, vec!["english", "german", "spanish", "french"]);

    let top: Vec<(&str, u32)> = cv
        .skills
        .iter()
        .take(4)
        .map(|s| (s.skill.as_str(), s.mentions))
        .collect();
    assert_eq!(
        top,
        vec![
            ("go", 3),
            ("postgresql", 3),
            ("python", 3),
            ("kubernetes", 2)
        ]
    );
    let go = &cv.skills[0];
    assert_eq!(
        go.evidence,
        vec![
            "with 8+ years of experience building distributed systems in Go and Python.",
            "migration of 40 services to Kubernetes; built Go microservices on PostgreSQL",
        ]
    );
    assert!(
        cv.skills
            .iter()
            .all(|s| s.evidence.iter().all(|e| e.chars().count() <= 80))
    );
    let kafka = cv
        .skills
        .iter()
        .find(|s| s.skill.as_str() == "kafka")
        .expect("kafka");
    assert_eq!(
        (kafka.mentions, kafka.evidence.clone()),
        (
            1,
            vec!["Go, Python, Kubernetes, PostgreSQL, Kafka, AWS".to_string()]
        )
    );
}

#[test]
fn cv_seniority_falls_back_to_years() {
    let cv = analyze_cv(
        &VOCAB,
        "Data Analyst\nAcme, 2022 – present\n- SQL and Tableau dashboards",
        2026,
    );
    assert_eq!(cv.titles, vec!["data analyst"]);
    assert_eq!(
        (cv.years_experience, cv.seniority),
        (Some(4), Some(Seniority::Mid))
    );
    let empty = analyze_cv(&VOCAB, "", 2026);
    assert_eq!(empty, CvAnalysis::default());
}

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        prop::sample::select(vec![
            "Requirements:",
            "Nice to have",
            "- Go",
            "Kubernetes",
            "5+ years of experience",
            "2015 – 2020",
            "Senior Engineer",
            "Benefits",
            "\n",
            "\n- ",
            ", ",
            "Python",
            "is a plus",
            "(",
            ")",
            "English (native)",
            "Languages",
            ";",
            ".",
            "C++",
            "R",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..30).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn analysis_is_deterministic(title in text_strategy(), text in text_strategy()) {
        prop_assert_eq!(analyze_job(&VOCAB, &title, &text), analyze_job(&VOCAB, &title, &text));
        prop_assert_eq!(analyze_cv(&VOCAB, &text, 2026), analyze_cv(&VOCAB, &text, 2026));
    }

    #[test]
    fn adding_a_skill_line_never_removes_a_found_skill(
        text in text_strategy(),
        extra in prop::sample::select(vec!["Kubernetes", "- Go", "C++, R", "machine learning", "Terraform is a plus"]),
    ) {
        let all = |t: &str| {
            let job = analyze_job(&VOCAB, "Engineer", t);
            job.required.union(&job.nice_to_have).cloned().collect::<BTreeSet<_>>()
        };
        let before = all(&text);
        let after = all(&format!("{text}\n{extra}"));
        prop_assert!(before.is_subset(&after), "lost {:?}", before.difference(&after).collect::<Vec<_>>());
    }
}

#[test]
fn every_remark_has_a_signal_word_the_vocabulary_knows() {
    for remark in REMARKS.split('|') {
        assert!(
            remark.split_whitespace().any(|w| REMARK_WORDS.contains(&w)),
            "{remark:?}"
        );
    }
    for word in REMARK_WORDS.iter().chain(&YEAR_WORDS) {
        assert_ne!(
            VOCAB.word_id(word),
            crate::domain::fit::tokens::UNKNOWN,
            "{word:?}"
        );
    }
}
