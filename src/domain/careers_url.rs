//! Careers-page URLs and `ats:slug` shorthands turned into a provider and board slug.
//!
//! The hosts and where each carries the board name are provider facts
//! ([`ProviderFacts::careers`](super::providers::ProviderFacts)); this module only applies them.

use std::str::FromStr;

use url::Url;

use super::providers::{AtsKind, BoardAt, CareersHost, NoEuInstance};
use super::source::{CompanySlug, SlugError};

/// A board named by a careers URL. `eu` is set for boards on a provider's EU instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSource {
    pub ats: AtsKind,
    pub slug: CompanySlug,
    pub eu: bool,
}

/// Every careers-URL form understood, plus the shorthand, for messages.
pub fn supported_forms() -> String {
    let forms: Vec<String> = AtsKind::ALL
        .iter()
        .flat_map(|k| k.facts().careers)
        .map(CareersHost::form)
        .collect();
    format!("{}, or ats:slug (e.g. greenhouse:acme)", forms.join(", "))
}

/// Why a careers URL or shorthand was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CareersUrlError {
    #[error("empty careers URL; supported forms: {forms}", forms = supported_forms())]
    Empty,
    #[error("only http and https URLs are supported, not {0:?}")]
    Scheme(String),
    #[error("careers URL may not contain spaces, control characters or backslashes")]
    BadCharacter,
    #[error("careers URL may not carry a user name or password")]
    UserInfo,
    #[error("careers URL may not name a port")]
    Port,
    #[error("careers URL path may not contain '.', '..' or percent-encoded segments")]
    PathSegment,
    #[error("not a URL: {0}")]
    Invalid(String),
    #[error("unsupported host {0:?}; supported forms: {forms}", forms = supported_forms())]
    UnknownHost(String),
    #[error("no board name in the URL; supported forms: {forms}", forms = supported_forms())]
    MissingSlug,
    #[error(transparent)]
    Slug(#[from] SlugError),
    #[error("unknown ATS {0:?} in shorthand; supported forms: {forms}", forms = supported_forms())]
    UnknownAts(String),
    /// `greenhouse-eu:acme` for a provider without an EU instance; `plain` is the fix.
    #[error("{reason}; write {plain} instead")]
    NoEuInstance { reason: NoEuInstance, plain: String },
}

/// `ats:slug` (e.g. `greenhouse:acme`, `lever-eu:acme`) if the input has that shape,
/// otherwise a careers URL.
pub fn parse_source_ref(input: &str) -> Result<ParsedSource, CareersUrlError> {
    let s = input.trim();
    if let Some((prefix, rest)) = s.split_once(':') {
        let is_url = rest.starts_with("//") || prefix.contains(['.', '/']);
        if !is_url {
            let (name, eu) = match prefix.to_ascii_lowercase().strip_suffix("-eu") {
                Some(name) => (name.to_string(), true),
                None => (prefix.to_ascii_lowercase(), false),
            };
            let ats = AtsKind::from_str(&name)
                .map_err(|_| CareersUrlError::UnknownAts(prefix.to_string()))?;
            let slug = CompanySlug::parse(rest)?;
            if eu && let Err(reason) = ats.check_eu() {
                return Err(CareersUrlError::NoEuInstance {
                    reason,
                    plain: format!("{ats}:{}", slug.declared()),
                });
            }
            return Ok(ParsedSource { ats, slug, eu });
        }
    }
    parse_careers_url(s)
}

/// A provider's public careers URL, with or without scheme, job path, query or fragment.
pub fn parse_careers_url(input: &str) -> Result<ParsedSource, CareersUrlError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(CareersUrlError::Empty);
    }
    if s.chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(CareersUrlError::BadCharacter);
    }
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("https".to_string(), s),
    };
    if scheme != "http" && scheme != "https" {
        return Err(CareersUrlError::Scheme(scheme));
    }
    // Checked on the raw text: the url crate would resolve `..` and decode nothing, hiding
    // exactly what must be refused.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, after) = rest.split_at(authority_end);
    if authority.contains('@') {
        return Err(CareersUrlError::UserInfo);
    }
    if authority.contains(':') {
        return Err(CareersUrlError::Port);
    }
    let raw_path = &after[..after.find(['?', '#']).unwrap_or(after.len())];
    if raw_path
        .split('/')
        .any(|seg| seg == "." || seg == ".." || seg.contains('%'))
    {
        return Err(CareersUrlError::PathSegment);
    }
    let url = Url::parse(&format!("{scheme}://{rest}"))
        .map_err(|e| CareersUrlError::Invalid(e.to_string()))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let (ats, careers, subdomain) =
        find_host(&host).ok_or_else(|| CareersUrlError::UnknownHost(host.clone()))?;
    let segments: Vec<&str> = url
        .path_segments()
        .map(|segs| segs.filter(|seg| !seg.is_empty()).collect())
        .unwrap_or_default();
    let first = segments.first().copied();
    let query = |param: &str| {
        url.query_pairs()
            .find(|(k, _)| k == param)
            .map(|(_, v)| v.into_owned())
    };
    let slug = match careers.board {
        BoardAt::FirstSegment { not_boards, .. } => first
            .filter(|f| !not_boards.contains(f))
            .map(str::to_string),
        BoardAt::FirstSegmentOrQuery { segment, param, .. } if first == Some(segment) => {
            query(param)
        }
        BoardAt::FirstSegmentOrQuery { .. } => first.map(str::to_string),
        BoardAt::Subdomain { .. } => subdomain.map(str::to_string),
        BoardAt::TenantShardSite { .. } => workday_site(&segments)
            .zip(subdomain)
            .map(|(site, tenant_shard)| format!("{tenant_shard}.{site}")),
        BoardAt::SubdomainQuery { param, .. } => query(param)
            .filter(|company| !company.contains('.'))
            .zip(subdomain)
            .map(|(company, dc)| format!("{company}.{dc}.{}", careers.host)),
    };
    let slug = slug
        .filter(|s| !s.is_empty())
        .ok_or(CareersUrlError::MissingSlug)?;
    Ok(ParsedSource {
        ats,
        slug: CompanySlug::parse(&slug)?,
        eu: careers.eu,
    })
}

/// The site of a Workday careers path: `/{site}`, `/{locale}/{site}/…` or the API's own
/// `/wday/cxs/{tenant}/{site}/…`.
fn workday_site<'a>(segments: &[&'a str]) -> Option<&'a str> {
    let is_locale = |s: &str| {
        let b = s.as_bytes();
        (b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic))
            || (b.len() == 5
                && b[2] == b'-'
                && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_alphabetic))
    };
    match segments {
        ["wday", "cxs", _tenant, site, ..] => Some(site),
        [locale, site, ..] if is_locale(locale) => Some(site),
        [locale] if is_locale(locale) => None,
        [site, ..] => Some(site),
        [] => None,
    }
}

/// The provider and careers host registered for `host`, and for a subdomain host the
/// subdomain: one label, or `{tenant}.{shard}` for Workday.
fn find_host(host: &str) -> Option<(AtsKind, &'static CareersHost, Option<&str>)> {
    AtsKind::ALL
        .into_iter()
        .flat_map(|kind| kind.facts().careers.iter().map(move |c| (kind, c)))
        .find_map(|(kind, careers)| match careers.board {
            BoardAt::Subdomain { .. } => host
                .strip_suffix(careers.host)?
                .strip_suffix('.')
                .filter(|label| !label.is_empty() && !label.contains('.'))
                .map(|label| (kind, careers, Some(label))),
            BoardAt::SubdomainQuery { .. } => host
                .strip_suffix(careers.host)?
                .strip_suffix('.')
                .filter(|label| !label.is_empty() && !label.contains('.'))
                .map(|label| (kind, careers, Some(label))),
            BoardAt::TenantShardSite { .. } => host
                .strip_suffix(careers.host)?
                .strip_suffix('.')
                .filter(|prefix| {
                    let mut labels = prefix.split('.');
                    let tenant = labels.next().unwrap_or_default();
                    let shard = labels.next().unwrap_or_default();
                    let is_shard = shard
                        .strip_prefix("wd")
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                    !tenant.is_empty() && is_shard && labels.next().is_none()
                })
                .map(|prefix| (kind, careers, Some(prefix))),
            _ => (host == careers.host).then_some((kind, careers, None)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        use AtsKind::*;
        let cases: &[(&str, AtsKind, &str, bool)] = &[
            (
                "https://boards.greenhouse.io/acme",
                Greenhouse,
                "acme",
                false,
            ),
            (
                "boards.greenhouse.io/acme/jobs/4012345?gh_src=x#apply",
                Greenhouse,
                "acme",
                false,
            ),
            (
                "http://job-boards.greenhouse.io/Anthropic/",
                Greenhouse,
                "anthropic",
                false,
            ),
            // EU-hosted Greenhouse boards are read from the one global API.
            (
                "https://job-boards.eu.greenhouse.io/acme/jobs/1",
                Greenhouse,
                "acme",
                false,
            ),
            (
                "https://job-boards.eu.greenhouse.io/embed/job_board?for=acme",
                Greenhouse,
                "acme",
                false,
            ),
            (
                "https://boards.greenhouse.io/embed/job_board?for=acme",
                Greenhouse,
                "acme",
                false,
            ),
            (
                "HTTPS://BOARDS.GREENHOUSE.IO/acme",
                Greenhouse,
                "acme",
                false,
            ),
            (
                "https://jobs.lever.co/spotify/2193db3f-77c5",
                Lever,
                "spotify",
                false,
            ),
            ("jobs.eu.lever.co/acme", Lever, "acme", true),
            (
                "https://jobs.ashbyhq.com/linear/d3bc1ced?utm=1",
                Ashby,
                "linear",
                false,
            ),
            (
                "https://careers.smartrecruiters.com/Ubisoft2",
                SmartRecruiters,
                "ubisoft2",
                false,
            ),
            (
                "jobs.smartrecruiters.com/Ubisoft2/744000151912444-x",
                SmartRecruiters,
                "ubisoft2",
                false,
            ),
            (
                "https://apply.workable.com/acme/j/ABC123/",
                Workable,
                "acme",
                false,
            ),
            (
                "https://acme.recruitee.com/o/rust-engineer",
                Recruitee,
                "acme",
                false,
            ),
            ("acme.recruitee.com", Recruitee, "acme", false),
            ("  https://jobs.lever.co/acme  ", Lever, "acme", false),
            (
                "https://acme.wd5.myworkdayjobs.com/en-US/External_Careers",
                Workday,
                "acme.wd5.external_careers",
                false,
            ),
            (
                "acme.wd1.myworkdayjobs.com/Careers/job/Berlin/Engineer_R-1234",
                Workday,
                "acme.wd1.careers",
                false,
            ),
            (
                "https://acme.wd103.myworkdayjobs.com/fr/Jobs?q=x",
                Workday,
                "acme.wd103.jobs",
                false,
            ),
            (
                "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/Ext/jobs",
                Workday,
                "acme.wd5.ext",
                false,
            ),
            (
                "https://career5.successfactors.eu/career?company=acmeP&career_ns=job_listing_summary&resultType=XML",
                SuccessFactors,
                "acmep.career5.successfactors.eu",
                false,
            ),
            (
                "career4.successfactors.com/career?career_ns=job_listing&company=Beta",
                SuccessFactors,
                "beta.career4.successfactors.com",
                false,
            ),
            (
                "https://acme.jobs.personio.de/job/123",
                Personio,
                "acme",
                true,
            ),
            ("acme-gmbh.jobs.personio.com", Personio, "acme-gmbh", false),
        ];
        for (input, ats, slug, eu) in cases {
            let got = parse_careers_url(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (got.ats, got.slug.as_str(), got.eu),
                (*ats, *slug, *eu),
                "{input}"
            );
        }
        let sr = parse_careers_url("careers.smartrecruiters.com/Ubisoft2").unwrap();
        assert_eq!(sr.slug.declared(), "Ubisoft2");
        let wd = parse_careers_url("https://acme.wd5.myworkdayjobs.com/External_Careers").unwrap();
        assert_eq!(wd.slug.declared(), "acme.wd5.External_Careers");
    }

    #[test]
    fn hostile_and_unsupported_input_is_refused() {
        type Check = fn(&CareersUrlError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("jobs.lever.co/../admin", |e| {
                matches!(e, CareersUrlError::PathSegment)
            }),
            ("https://jobs.lever.co/./acme", |e| {
                matches!(e, CareersUrlError::PathSegment)
            }),
            ("https://jobs.lever.co/%2e%2e/admin", |e| {
                matches!(e, CareersUrlError::PathSegment)
            }),
            ("https://jobs.lever.co/acme%2Fadmin", |e| {
                matches!(e, CareersUrlError::PathSegment)
            }),
            ("https://jobs.lever.co\\acme", |e| {
                matches!(e, CareersUrlError::BadCharacter)
            }),
            ("https://jobs.lever.co/ac me", |e| {
                matches!(e, CareersUrlError::BadCharacter)
            }),
            ("evil.com/boards.greenhouse.io/x", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("boards.greenhouse.io.evil.com/x", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://user@boards.greenhouse.io/x", |e| {
                matches!(e, CareersUrlError::UserInfo)
            }),
            ("https://u:p@jobs.lever.co/x", |e| {
                matches!(e, CareersUrlError::UserInfo)
            }),
            ("https://boards.greenhouse.io:8443/x", |e| {
                matches!(e, CareersUrlError::Port)
            }),
            ("ftp://boards.greenhouse.io/x", |e| {
                matches!(e, CareersUrlError::Scheme(_))
            }),
            ("javascript://boards.greenhouse.io/x", |e| {
                matches!(e, CareersUrlError::Scheme(_))
            }),
            ("https://boards.greenhouse.io/", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://boards.greenhouse.io", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://apply.workable.com/j/ABC123", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://boards.greenhouse.io/embed/job_board", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://www.linkedin.com/jobs/1", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://a.b.recruitee.com", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://recruitee.com/acme", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://jobs.ashbyhq.com/ac!me", |e| {
                matches!(e, CareersUrlError::Slug(_))
            }),
            ("https://wd5.myworkdayjobs.com/External", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://acme.www.myworkdayjobs.com/External", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://x.acme.wd5.myworkdayjobs.com/External", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("https://acme.wd5.myworkdayjobs.com/en-US", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://acme.wd5.myworkdayjobs.com/", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://career5.successfactors.eu/career", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            (
                "https://career5.successfactors.eu/career?company=a.b",
                |e| matches!(e, CareersUrlError::MissingSlug),
            ),
            ("https://www.successfactors.com/", |e| {
                matches!(e, CareersUrlError::MissingSlug)
            }),
            ("https://www.personio.de/", |e| {
                matches!(e, CareersUrlError::UnknownHost(_))
            }),
            ("", |e| matches!(e, CareersUrlError::Empty)),
            ("   ", |e| matches!(e, CareersUrlError::Empty)),
        ];
        for (input, expected) in cases {
            match parse_careers_url(input) {
                Ok(got) => panic!("{input:?} was accepted as {got:?}"),
                Err(e) => assert!(expected(&e), "{input:?} gave {e:?}"),
            }
        }
    }

    #[test]
    fn errors_name_the_supported_forms() {
        let e = parse_careers_url("https://example.com/careers").unwrap_err();
        assert!(e.to_string().contains("jobs.lever.co/{site}"), "{e}");
    }

    #[test]
    fn shorthand_then_url() {
        let g = parse_source_ref("greenhouse:acme").unwrap();
        assert_eq!(
            (g.ats, g.slug.as_str(), g.eu),
            (AtsKind::Greenhouse, "acme", false)
        );
        let l = parse_source_ref("lever-eu:Acme").unwrap();
        assert_eq!(
            (l.ats, l.slug.as_str(), l.eu),
            (AtsKind::Lever, "acme", true)
        );
        let s = parse_source_ref(" SmartRecruiters:Ubisoft2 ").unwrap();
        assert_eq!(
            (s.ats, s.slug.declared()),
            (AtsKind::SmartRecruiters, "Ubisoft2")
        );
        let u = parse_source_ref("https://jobs.lever.co/acme").unwrap();
        assert_eq!((u.ats, u.slug.as_str()), (AtsKind::Lever, "acme"));
        let bare = parse_source_ref("jobs.ashbyhq.com/linear").unwrap();
        assert_eq!(bare.ats, AtsKind::Ashby);
        assert!(matches!(
            parse_source_ref("taleo:acme"),
            Err(CareersUrlError::UnknownAts(_))
        ));
        assert!(matches!(
            parse_source_ref("lever:"),
            Err(CareersUrlError::Slug(_))
        ));
        assert!(matches!(
            parse_source_ref("lever:../x"),
            Err(CareersUrlError::Slug(_))
        ));
        assert!(matches!(
            parse_source_ref("ftp://jobs.lever.co/x"),
            Err(CareersUrlError::Scheme(_))
        ));
    }

    #[test]
    fn eu_shorthand_for_a_provider_without_an_eu_instance_is_refused() {
        let err = parse_source_ref("greenhouse-eu:Acme").unwrap_err();
        assert!(
            matches!(err, CareersUrlError::NoEuInstance { .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "greenhouse has no EU API instance: boards on job-boards.eu.greenhouse.io are \
             served by the global API; write greenhouse:Acme instead"
        );
        let err = parse_source_ref("ashby-eu:linear").unwrap_err().to_string();
        assert_eq!(
            err,
            "ashby has no EU API instance; write ashby:linear instead"
        );
    }

    #[test]
    fn the_readme_lists_every_supported_form() {
        let readme = include_str!("../../README.md");
        for kind in AtsKind::ALL {
            for host in kind.facts().careers {
                let form = format!("`{}`", host.form());
                assert!(readme.contains(&form), "README does not list {form}");
            }
        }
    }
}
