use std::sync::LazyLock;

use proptest::prelude::*;

use super::*;

static VOCAB: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::builtin().expect("the embedded vocabulary parses"));

fn vocab() -> Vocabulary {
    VOCAB.clone()
}

fn names(v: &Vocabulary, text: &str) -> Vec<String> {
    v.find(text).into_iter().map(|h| h.skill.0).collect()
}

#[test]
fn builtin_vocabulary_parses_and_is_sizeable() {
    let v = vocab();
    assert!((150..=250).contains(&v.len()), "{} skills", v.len());
    assert!(v.skills().all(|s| s.as_str() == s.as_str().to_lowercase()));
    let kubernetes = v.normalize("kubernetes").expect("kubernetes");
    assert_eq!(v.category(&kubernetes), Some("infrastructure"));
    assert_eq!(v.weight(&kubernetes), 1.0);
    assert_eq!(v.weight(&v.normalize("git").expect("git")), 0.5);
}

#[test]
fn normalizes_aliases_case_and_symbols() {
    let v = vocab();
    for (term, want) in [
        ("K8s", Some("kubernetes")),
        ("Golang", Some("go")),
        ("Go", Some("go")),
        ("Postgres", Some("postgresql")),
        ("JS", Some("javascript")),
        ("C++", Some("c++")),
        ("cpp", Some("c++")),
        ("C#", Some("c#")),
        (".NET", Some(".net")),
        ("ASP.NET Core", Some(".net")),
        ("Node.js", Some("node.js")),
        ("NodeJS", Some("node.js")),
        ("CI/CD", Some("ci/cd")),
        ("scikit-learn", Some("scikit-learn")),
        ("Scikit Learn", Some("scikit-learn")),
        ("Machine-Learning", Some("machine learning")),
        ("  machine   learning ", Some("machine learning")),
        ("Google Cloud Platform", Some("gcp")),
        ("ML", Some("machine learning")),
        ("C", Some("c")),
        ("google", None),
        ("java script", None),
        ("go lang lang", None),
        ("", None),
    ] {
        assert_eq!(
            v.normalize(term).map(|s| s.0),
            want.map(String::from),
            "{term:?}"
        );
    }
}

#[test]
fn matches_whole_tokens_only() {
    let v = vocab();
    for (text, want) in [
        ("good going google golden", vec![]),
        ("We use JavaScript daily", vec!["javascript"]),
        ("We trust our reaction time", vec![]),
        ("we use Rust.", vec!["rust"]),
        ("Rust, Go and Python", vec!["rust", "go", "python"]),
        ("asp.netcore nonsense", vec![]),
        ("Built with ASP.NET.", vec![".net"]),
        ("Our stack: .NET, C# and C++.", vec![".net", "c#", "c++"]),
        ("Node.js/TypeScript services", vec!["node.js", "typescript"]),
        (
            "CI/CD pipelines in GitHub Actions",
            vec!["ci/cd", "github actions"],
        ),
        ("scikit-learn and pandas", vec!["scikit-learn", "pandas"]),
        ("C/C++ embedded work", vec!["c", "c++"]),
        ("Java (not Javascript)", vec!["java", "javascript"]),
        ("experience at github.com/rust-lang and me@rust.dev", vec![]),
        ("Rust's ownership model", vec!["rust"]),
        ("Node.jsx is not node", vec![]),
    ] {
        assert_eq!(names(&v, text), want, "{text:?}");
    }
}

#[test]
fn prefers_the_longest_phrase() {
    let v = vocab();
    for (text, want) in [
        (
            "Google Cloud Platform and Google Analytics",
            vec!["gcp", "google analytics"],
        ),
        (
            "machine learning, deep learning",
            vec!["machine learning", "deep learning"],
        ),
        (
            "React Native apps, React web",
            vec!["react native", "react"],
        ),
        (
            "Spring Boot microservices",
            vec!["spring boot", "microservices"],
        ),
        ("SQL Server and SQL", vec!["sql server", "sql"]),
        ("machine\nlearning", vec![]),
        ("machine, learning", vec![]),
    ] {
        assert_eq!(names(&v, text), want, "{text:?}");
    }
}

#[test]
fn ambiguous_words_need_technical_context() {
    let v = vocab();
    for (text, want) in [
        ("Go beyond what you know. Ready to go?", vec![]),
        ("Backend in Go", vec!["go"]),
        ("Senior Go Engineer", vec!["go"]),
        ("We write go, python and sql", vec!["go", "python", "sql"]),
        ("- Go\n- Kubernetes", vec!["go", "kubernetes"]),
        ("R&D budget", vec![]),
        ("Python or R for analysis", vec!["python", "r"]),
        ("Series C funding and C-level support", vec![]),
        ("Experience with C.", vec!["c"]),
        (
            "React quickly to incidents; react, vue",
            vec!["react", "react", "vue.js"],
        ),
        ("we react quickly", vec![]),
        ("You excel at communication", vec![]),
        ("Excel and SQL", vec!["excel", "sql"]),
        ("a spark of curiosity", vec![]),
        (
            "Spark, Kafka, Airflow",
            vec!["apache spark", "kafka", "airflow"],
        ),
        ("REST APIs for the rest of us", vec!["rest"]),
    ] {
        assert_eq!(names(&v, text), want, "{text:?}");
    }
}

#[test]
fn offsets_cover_the_mention_as_written() {
    let v = vocab();
    let text = "Ünïcode first: K8s, Node.js.";
    let got: Vec<&str> = v.find(text).iter().map(|h| &text[h.start..h.end]).collect();
    assert_eq!(got, vec!["K8s", "Node.js"]);
}

#[test]
fn extension_adds_skills_and_aliases_and_wins_clashes() {
    let mut v = vocab();
    let extra = Vocabulary::from_toml(
        r#"
        [skills]
        go = { aliases = ["gopher stack"] }
        bevy = { aliases = ["bevy engine"], category = "graphics" }
        "internal rpc" = { aliases = ["grpc"] }
        [languages]
        esperanto = []
        "#,
    )
    .expect("extra parses");
    let before = v.len();
    v.extend(&extra);
    assert_eq!(v.len(), before + 2);
    assert_eq!(v.normalize("gopher stack").map(|s| s.0), Some("go".into()));
    assert_eq!(v.normalize("Bevy Engine").map(|s| s.0), Some("bevy".into()));
    assert_eq!(
        v.normalize("grpc").map(|s| s.0),
        Some("internal rpc".into())
    );
    // Extending `go` without `ambiguous` keeps the builtin rule.
    assert_eq!(names(&v, "Go beyond"), Vec::<String>::new());
    assert_eq!(v.languages_in(&v.tokens("Esperanto")).len(), 1);
    assert_eq!(v.category(&Skill("bevy".into())), Some("graphics"));
}

#[test]
fn rejects_bad_vocabularies() {
    let err = |t: &str| Vocabulary::from_toml(t).err();
    assert!(matches!(
        err("[skills]\nx = { alias = [] }"),
        Some(VocabularyError::Toml(_))
    ));
    assert!(matches!(
        err("[skills]\na = { aliases = [\"k\"] }\nb = { aliases = [\"K\"] }"),
        Some(VocabularyError::Clash { .. })
    ));
    assert!(matches!(
        err("[skills]\na = { aliases = [\"x, y\"] }"),
        Some(VocabularyError::BadTerm { .. })
    ));
    assert!(matches!(
        err("[skills]\na = { aliases = [\"\"] }"),
        Some(VocabularyError::BadTerm { .. })
    ));
    assert!(matches!(
        err("[skills]\na = { ambiguous = \"maybe\" }"),
        Some(VocabularyError::BadAmbiguity { .. })
    ));
    assert!(matches!(
        err("[skills]\na = { weight = -1.0 }"),
        Some(VocabularyError::BadWeight { .. })
    ));
}

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        prop::sample::select(vec![
            "Go",
            "go",
            "C++",
            "c#",
            ".NET",
            "Node.js",
            "k8s",
            "CI/CD",
            "machine",
            "learning",
            "R",
            ",",
            ".",
            "/",
            "-",
            "\n",
            " ",
            "é",
            "🦀",
            "https://x.y",
            "and",
            "developer",
            "React",
            "Rust.",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.join(" "))
}

proptest! {
    #[test]
    fn find_returns_char_boundary_spans_that_normalize_back(text in text_strategy()) {
        let v = &*VOCAB;
        let hits = v.find(&text);
        let mut last_end = 0;
        for hit in &hits {
            prop_assert!(hit.start < hit.end && hit.end <= text.len());
            prop_assert!(text.is_char_boundary(hit.start) && text.is_char_boundary(hit.end));
            prop_assert!(hit.start >= last_end, "hits overlap");
            last_end = hit.end;
            prop_assert_eq!(v.normalize(&text[hit.start..hit.end]), Some(hit.skill.clone()));
        }
    }

    #[test]
    fn a_skill_on_a_new_line_never_removes_a_found_skill(text in text_strategy(), extra in prop::sample::select(vec!["Kubernetes", "Go", "C++", "R", "machine learning", "- Python"])) {
        let v = &*VOCAB;
        let set = |t: &str| v.find(t).into_iter().map(|h| h.skill).collect::<std::collections::BTreeSet<_>>();
        let before = set(&text);
        let after = set(&format!("{text}\n{extra}"));
        prop_assert!(before.is_subset(&after));
    }
}
