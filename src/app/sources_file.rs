//! The sources file: the declarative TOML list of company boards to ingest.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::domain::careers_url;
use crate::domain::{AtsKind, CompanySlug, SourceKey};
use crate::ports::{Region, SourceSpec};

/// What is wrong with the sources file; every problem names its entry and line.
#[derive(Debug, thiserror::Error)]
pub enum SourcesFileError {
    #[error("cannot read sources file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write sources file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("sources file {path} is invalid:\n{}", .problems.join("\n"))]
    Invalid {
        path: PathBuf,
        problems: Vec<String>,
    },
    #[error("{0} is already in the sources file")]
    Duplicate(SourceKey),
    #[error("{0}")]
    BadReference(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    sources: Vec<Spanned<EntryShape>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryShape {
    ats: Option<String>,
    slug: Option<String>,
    url: Option<String>,
    name: Option<String>,
    region: Option<String>,
    enabled: Option<bool>,
}

fn line_of(text: &str, span: Range<usize>) -> usize {
    text.get(..span.start)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// Reads `ats:slug` or a careers URL into a provider, slug and region.
pub fn parse_reference(input: &str) -> Result<(SourceKey, Region), String> {
    let parsed = careers_url::parse_source_ref(input).map_err(|e| e.to_string())?;
    let region = if parsed.eu {
        Region::Eu
    } else {
        Region::Global
    };
    Ok((SourceKey::new(parsed.ats, parsed.slug), region))
}

fn entry_to_spec(entry: &EntryShape) -> Result<SourceSpec, String> {
    let (key, url_region) = match (&entry.ats, &entry.slug, &entry.url) {
        (Some(ats), Some(slug), None) => {
            let ats: AtsKind = ats
                .parse()
                .map_err(|e: crate::domain::source::UnknownAts| e.to_string())?;
            let slug = CompanySlug::parse(slug).map_err(|e| e.to_string())?;
            (SourceKey::new(ats, slug), Region::Global)
        }
        (None, None, Some(url)) => parse_reference(url)?,
        _ => return Err("give either `ats` and `slug`, or `url`".into()),
    };
    let region = match entry
        .region
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => url_region,
        Some("eu") => Region::Eu,
        Some("global" | "us") => Region::Global,
        Some(other) => return Err(format!("region {other:?} is not \"eu\" or \"global\"")),
    };
    if region == Region::Eu
        && let Err(no_eu) = key.ats.check_eu()
    {
        return Err(format!("{no_eu}; remove region"));
    }
    Ok(SourceSpec {
        key,
        name: entry.name.clone().filter(|n| !n.trim().is_empty()),
        region,
        enabled: entry.enabled.unwrap_or(true),
    })
}

/// Parses the file's text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Vec<SourceSpec>, SourcesFileError> {
    let invalid = |problems| SourcesFileError::Invalid {
        path: path.to_path_buf(),
        problems,
    };
    let shape: FileShape = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s));
        let at = line.map_or_else(String::new, |l| format!("line {l}: "));
        invalid(vec![format!("  - {at}{}", e.message())])
    })?;
    let mut problems = Vec::new();
    let mut specs = Vec::new();
    let mut seen = HashSet::new();
    for (index, entry) in shape.sources.iter().enumerate() {
        let line = line_of(text, entry.span());
        match entry_to_spec(entry.get_ref()) {
            Ok(spec) if !seen.insert(spec.key.clone()) => problems.push(format!(
                "  - entry {} (line {line}): {} is declared twice",
                index + 1,
                spec.key
            )),
            Ok(spec) => specs.push(spec),
            Err(msg) => problems.push(format!("  - entry {} (line {line}): {msg}", index + 1)),
        }
    }
    if problems.is_empty() {
        Ok(specs)
    } else {
        Err(invalid(problems))
    }
}

/// Reads the file. A missing file at the default location means no sources yet.
pub fn load(path: &Path, must_exist: bool) -> Result<Vec<SourceSpec>, SourcesFileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Ok(Vec::new()),
        Err(source) => Err(SourcesFileError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// One `[[sources]]` entry, as `append` writes it.
pub fn entry_text(key: &SourceKey, region: Region, name: Option<&str>) -> String {
    let mut text = String::from("[[sources]]\n");
    text.push_str(&format!("ats = \"{}\"\n", key.ats));
    // The declared spelling matters for providers with case-sensitive ids.
    text.push_str(&format!("slug = \"{}\"\n", key.slug.declared()));
    if let Some(name) = name {
        text.push_str(&format!(
            "name = {}\n",
            toml::Value::String(name.to_string())
        ));
    }
    if region == Region::Eu {
        text.push_str("region = \"eu\"\n");
    }
    text
}

#[derive(serde::Serialize)]
struct FileOut<'a> {
    sources: Vec<EntryOut<'a>>,
}

#[derive(serde::Serialize)]
struct EntryOut<'a> {
    ats: &'a str,
    slug: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
}

/// Writes a new sources file holding `specs` (slugs as declared, `enabled = false` for the
/// disabled ones), under a comment saying where they came from. Never overwrites: an
/// existing file is an error.
///
/// # Errors
/// When the file exists or cannot be written.
pub fn write_new(path: &Path, specs: &[SourceSpec], origin: &str) -> Result<(), SourcesFileError> {
    use std::io::Write;
    let shape = FileOut {
        sources: specs
            .iter()
            .map(|s| EntryOut {
                ats: s.key.ats.as_str(),
                slug: s.key.slug.declared(),
                name: s.name.as_deref(),
                region: (s.region == Region::Eu).then_some("eu"),
                enabled: (!s.enabled).then_some(false),
            })
            .collect(),
    };
    let write_error = |source| SourcesFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let body =
        toml::to_string(&shape).map_err(|e| write_error(std::io::Error::other(e.to_string())))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(write_error)?;
    writeln!(file, "# {origin}\n")
        .and_then(|()| file.write_all(body.as_bytes()))
        .map_err(write_error)
}

/// Appends one source to the file (created if missing), keeping its comments and layout.
pub fn append(
    path: &Path,
    reference: &str,
    name: Option<&str>,
) -> Result<SourceSpec, SourcesFileError> {
    let existing = load(path, false)?;
    let (key, region) = parse_reference(reference).map_err(SourcesFileError::BadReference)?;
    if existing.iter().any(|s| s.key == key) {
        return Err(SourcesFileError::Duplicate(key));
    }
    let mut text = std::fs::read_to_string(path).unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&entry_text(&key, region, name));
    // Check the result parses before writing it.
    parse(path, &text)?;
    std::fs::write(path, text).map_err(|source| SourcesFileError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(SourceSpec {
        key,
        name: name.map(str::to_string),
        region,
        enabled: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(Path::new("sources.toml"), text) {
            Err(SourcesFileError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn reads_ats_slug_and_url_entries() {
        let text = r#"
[[sources]]
ats = "greenhouse"
slug = "Acme"
name = "Acme Inc."

[[sources]]
url = "https://jobs.eu.lever.co/beta/123?lever-source=x"

[[sources]]
ats = "smartrecruiters"
slug = "Ubisoft2"
enabled = false
"#;
        let specs = parse(Path::new("s.toml"), text).unwrap();
        assert_eq!(specs.len(), 3);
        assert_eq!(specs[0].key.to_string(), "greenhouse:acme");
        assert_eq!(specs[0].name.as_deref(), Some("Acme Inc."));
        assert_eq!(specs[1].key.to_string(), "lever:beta");
        assert_eq!(specs[1].region, Region::Eu);
        assert_eq!(specs[2].key.slug.declared(), "Ubisoft2");
        assert!(!specs[2].enabled);
    }

    #[test]
    fn every_bad_entry_is_named_with_its_line() {
        let text = "[[sources]]\nats = \"taleo\"\nslug = \"x\"\n\n[[sources]]\nats = \"lever\"\nslug = \"a/b\"\n\n[[sources]]\nats = \"lever\"\nslug = \"ok\"\n\n[[sources]]\nurl = \"https://jobs.lever.co/OK\"\n";
        let p = problems(text);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("entry 1 (line 1)") && p[0].contains("taleo"));
        assert!(p[1].contains("entry 2 (line 5)"));
        assert!(p[2].contains("entry 4 (line 13)") && p[2].contains("declared twice"));
    }

    #[test]
    fn eu_region_is_refused_for_providers_without_an_eu_instance() {
        let text = "[[sources]]\nats = \"lever\"\nslug = \"ok\"\nregion = \"eu\"\n\n\
                    [[sources]]\nats = \"greenhouse\"\nslug = \"acme\"\nregion = \"eu\"\n\n\
                    [[sources]]\nurl = \"https://jobs.ashbyhq.com/linear\"\nregion = \"EU\"\n";
        let p = problems(text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(
            p[0],
            "  - entry 2 (line 6): greenhouse has no EU API instance: boards on \
             job-boards.eu.greenhouse.io are served by the global API; remove region"
        );
        assert_eq!(
            p[1],
            "  - entry 3 (line 11): ashby has no EU API instance; remove region"
        );
    }

    #[test]
    fn eu_hosted_greenhouse_boards_are_added_without_a_region() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sources.toml");
        let spec = append(
            &path,
            "https://job-boards.eu.greenhouse.io/acme/jobs/1",
            None,
        )
        .unwrap();
        assert_eq!(
            (spec.key.to_string(), spec.region),
            ("greenhouse:acme".to_string(), Region::Global)
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("region"), "{text}");
        assert_eq!(load(&path, true).unwrap().len(), 1);
        let err = append(&path, "greenhouse-eu:beta", None).unwrap_err();
        assert!(
            err.to_string()
                .contains("greenhouse has no EU API instance"),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_and_unknown_keys_name_the_line() {
        let p = problems("[[sources]]\nats = \"lever\"\nslug = \"a\"\ncolour = \"red\"\n");
        assert!(p[0].contains("colour"), "{p:?}");
        let p = problems("[[sources]]\nats = \"lever\nslug = \"a\"\n");
        assert!(p[0].contains("line 2"), "{p:?}");
    }

    #[test]
    fn append_keeps_comments_and_refuses_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sources.toml");
        std::fs::write(
            &path,
            "# my boards\n[[sources]]\nats = \"lever\"\nslug = \"acme\"\n",
        )
        .unwrap();
        let spec = append(
            &path,
            "https://boards.greenhouse.io/beta",
            Some("Beta \"B\" Co"),
        )
        .unwrap();
        assert_eq!(spec.key.to_string(), "greenhouse:beta");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# my boards\n"));
        assert_eq!(load(&path, true).unwrap().len(), 2);
        assert!(matches!(
            append(&path, "lever:ACME", None),
            Err(SourcesFileError::Duplicate(_))
        ));
        assert!(matches!(
            append(&path, "https://evil.example/jobs", None),
            Err(SourcesFileError::BadReference(_))
        ));
    }

    #[test]
    fn missing_default_file_means_no_sources() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        assert!(load(&path, false).unwrap().is_empty());
        assert!(matches!(
            load(&path, true),
            Err(SourcesFileError::Read { .. })
        ));
    }
}
