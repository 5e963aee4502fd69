use std::sync::LazyLock;

use serde_json::json;

use super::*;

static VOCAB: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::builtin().expect("the embedded vocabulary parses"));

fn skill(name: &str) -> Skill {
    VOCAB.normalize(name).expect("a known skill")
}

fn answer() -> serde_json::Value {
    json!({
        "summary": "Build the payments backend.",
        "skills": {"required": ["Golang", "K8s", "Quantum Basketweaving"], "nice_to_have": ["Kafka", "golang"]},
        "seniority": "Senior",
        "salary": {"min": 90000, "max": 120000, "currency": "€", "period": "year"},
        "pros": ["  remote\nfriendly "],
        "cons": [],
        "outreach_target": "Head of Engineering"
    })
}

#[test]
fn a_valid_answer_is_normalized_through_the_vocabulary() {
    let insight = parse_answer(&answer().to_string(), &VOCAB).unwrap();
    assert_eq!(insight.required, [skill("go"), skill("kubernetes")].into());
    // A skill listed in both lists is required only.
    assert_eq!(insight.nice_to_have, [skill("kafka")].into());
    assert_eq!(insight.unknown_skills, ["quantum basketweaving"]);
    assert_eq!(insight.seniority, Some(Seniority::Senior));
    let salary = insight.salary.unwrap();
    assert_eq!(salary.currency, "EUR");
    assert_eq!(salary.provenance, SalaryProvenance::Inferred);
    assert_eq!((salary.min, salary.max), (90000.0, 120000.0));
    assert_eq!(salary.display, "EUR 90,000–120,000 / year (estimate)");
    assert_eq!(insight.pros, ["remote friendly"]);
    assert_eq!(
        insight.outreach_target.as_deref(),
        Some("Head of Engineering")
    );
}

#[test]
fn a_code_fence_is_tolerated_and_nulls_mean_absent() {
    let mut a = answer();
    a["salary"] = json!(null);
    a["seniority"] = json!(null);
    a["outreach_target"] = json!(null);
    let fenced = format!("```json\n{a}\n```");
    let insight = parse_answer(&fenced, &VOCAB).unwrap();
    assert_eq!(insight.salary, None);
    assert_eq!(insight.seniority, None);
    assert_eq!(insight.outreach_target, None);
    let mut a = answer();
    a["salary"] = json!({"min": null, "max": null, "currency": null, "period": null});
    assert_eq!(parse_answer(&a.to_string(), &VOCAB).unwrap().salary, None);
}

#[test]
fn broken_or_impossible_answers_are_refused() {
    assert!(matches!(
        parse_answer("Sure! Here is the JSON you asked for", &VOCAB),
        Err(InsightError::Shape(_))
    ));
    let mut no_skills = answer();
    no_skills.as_object_mut().unwrap().remove("skills");
    assert!(matches!(
        parse_answer(&no_skills.to_string(), &VOCAB),
        Err(InsightError::Shape(_))
    ));
    for (field, value) in [
        (
            "salary",
            json!({"min": 5, "max": 2, "currency": "USD", "period": "hour"}),
        ),
        (
            "salary",
            json!({"min": -5, "max": null, "currency": "USD", "period": "hour"}),
        ),
        (
            "salary",
            json!({"min": 50000, "max": null, "currency": "doubloons", "period": "year"}),
        ),
        (
            "salary",
            json!({"min": 50000, "max": null, "currency": "USD", "period": "fortnightish"}),
        ),
        ("summary", json!("   ")),
    ] {
        let mut a = answer();
        a[field] = value.clone();
        let err = parse_answer(&a.to_string(), &VOCAB).unwrap_err();
        assert!(
            matches!(err, InsightError::Field { field: f, .. } if f == field),
            "{value}: {err:?}"
        );
    }
}

#[test]
fn long_text_is_bounded() {
    let mut a = answer();
    a["summary"] = json!("word ".repeat(400));
    a["pros"] = json!(vec!["x"; 40]);
    let insight = parse_answer(&a.to_string(), &VOCAB).unwrap();
    assert!(insight.summary.chars().count() <= SUMMARY_MAX_CHARS);
    assert!(insight.summary.ends_with("word"));
    assert_eq!(insight.pros.len(), 10);
}

#[test]
fn merge_adds_the_models_skills_and_says_where_each_came_from() {
    let det = JobAnalysis {
        required: [skill("rust"), skill("kafka")].into(),
        nice_to_have: [skill("go")].into(),
        seniority: None,
        ..JobAnalysis::default()
    };
    let insight = parse_answer(&answer().to_string(), &VOCAB).unwrap();
    let (merged, origins) = merge(&det, &insight);
    // go: nice in the posting, required by the model → required.
    assert_eq!(
        merged.required,
        [
            skill("rust"),
            skill("kafka"),
            skill("go"),
            skill("kubernetes")
        ]
        .into()
    );
    assert!(merged.nice_to_have.is_empty());
    assert_eq!(merged.seniority, Some(Seniority::Senior));
    assert_eq!(origins[&skill("rust")], SkillOrigin::Posting);
    assert_eq!(origins[&skill("kubernetes")], SkillOrigin::Llm);
    assert_eq!(origins[&skill("kafka")], SkillOrigin::Both);
    assert_eq!(origins[&skill("go")], SkillOrigin::Both);
}

#[test]
fn the_schema_requires_every_field_it_names() {
    let schema = answer_schema();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let properties: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(required.len(), properties.len());
    for p in properties {
        assert!(required.contains(&p.as_str()), "{p}");
    }
}
