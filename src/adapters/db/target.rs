//! Which database to open: resolved from `DATABASE_URL`, the `MYSQL_*` parts or a default
//! SQLite file, with the MySQL password kept out of every printable form.

use std::fmt;
use std::path::PathBuf;

use url::Url;

/// The database to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// An SQLite file (created, with its folder, if missing).
    Sqlite(PathBuf),
    Mysql(MysqlTarget),
}

/// A MySQL/MariaDB server and database. `Debug` and `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlTarget {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    password: Option<String>,
    /// `mysql://user@host:port/db`, built once so printing cannot fail.
    public: Url,
}

/// The `MYSQL_*` settings, as given.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct MysqlParts {
    pub host: String,
    /// 3306 when `None`.
    pub port: Option<u16>,
    pub db: String,
    pub user: String,
    pub password: Option<String>,
}

impl fmt::Debug for MysqlParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MysqlParts")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("db", &self.db)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// The settings do not name a usable database. Messages never contain the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("DATABASE_URL must start with sqlite:// (or sqlite:) or mysql://, not {scheme:?}")]
    UnsupportedScheme { scheme: String },
    #[error("DATABASE_URL is not a valid mysql:// URL: {0}")]
    InvalidMysqlUrl(String),
    #[error("DATABASE_URL sqlite: has an empty path")]
    EmptySqlitePath,
    #[error("MySQL setting {0} is empty")]
    MissingPart(&'static str),
}

const DEFAULT_MYSQL_PORT: u16 = 3306;

impl MysqlTarget {
    pub fn new(
        host: impl Into<String>,
        port: u16,
        database: impl Into<String>,
        user: impl Into<String>,
        password: Option<String>,
    ) -> Result<Self, TargetError> {
        let (host, database, user) = (
            host.into().trim().to_string(),
            database.into().trim().to_string(),
            user.into().trim().to_string(),
        );
        if host.is_empty() {
            return Err(TargetError::MissingPart("host"));
        }
        if database.is_empty() {
            return Err(TargetError::MissingPart("database"));
        }
        if user.is_empty() {
            return Err(TargetError::MissingPart("user"));
        }
        let bracketed = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.clone()
        };
        let mut public = Url::parse(&format!("mysql://{bracketed}:{port}/"))
            .map_err(|e| TargetError::InvalidMysqlUrl(format!("host {host:?}: {e}")))?;
        public
            .set_username(&user)
            .map_err(|()| TargetError::InvalidMysqlUrl("user cannot be set".into()))?;
        public.set_path(&database);
        Ok(MysqlTarget {
            host,
            port,
            database,
            user,
            password: password.filter(|p| !p.is_empty()),
            public,
        })
    }

    fn parse(raw: &str) -> Result<Self, TargetError> {
        // The url crate's messages describe the problem without echoing the input.
        let url = Url::parse(raw).map_err(|e| TargetError::InvalidMysqlUrl(e.to_string()))?;
        let decode = |s: &str| {
            percent_decode(s)
                .ok_or_else(|| TargetError::InvalidMysqlUrl("bad percent-encoding".into()))
        };
        let host = url
            .host_str()
            .ok_or_else(|| TargetError::InvalidMysqlUrl("no host".into()))?;
        let database = decode(url.path().trim_start_matches('/'))?;
        let password = url.password().map(decode).transpose()?;
        MysqlTarget::new(
            host.trim_start_matches('[').trim_end_matches(']'),
            url.port().unwrap_or(DEFAULT_MYSQL_PORT),
            database,
            decode(url.username())?,
            password,
        )
    }

    /// The connection URL, password included: for the driver only, never for printing.
    pub(crate) fn connection_url(&self) -> String {
        let mut url = self.public.clone();
        if let Some(pw) = &self.password {
            // Url percent-encodes the password, and the driver decodes it. Setting a
            // password cannot fail on a URL that already has a host.
            let _ = url.set_password(Some(pw));
        }
        url.to_string()
    }

    /// The password, so errors can be scrubbed of it.
    pub(crate) fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl fmt::Debug for MysqlTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MysqlTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl fmt::Display for MysqlTarget {
    /// `mysql://user@host:port/db`, safe to log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.public.as_str())
    }
}

impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseTarget::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseTarget::Mysql(m) => m.fmt(f),
        }
    }
}

impl DatabaseTarget {
    /// `DATABASE_URL` wins (`sqlite://PATH`, `sqlite:PATH` or `mysql://…`), then the
    /// `MYSQL_*` parts, then the default SQLite file. An empty `DATABASE_URL` counts as unset.
    pub fn resolve(
        database_url: Option<&str>,
        mysql: Option<MysqlParts>,
        default_sqlite_path: PathBuf,
    ) -> Result<DatabaseTarget, TargetError> {
        if let Some(raw) = database_url.map(str::trim).filter(|s| !s.is_empty()) {
            return Self::from_url(raw);
        }
        if let Some(parts) = mysql {
            let target = MysqlTarget::new(
                parts.host,
                parts.port.unwrap_or(DEFAULT_MYSQL_PORT),
                parts.db,
                parts.user,
                parts.password,
            )?;
            return Ok(DatabaseTarget::Mysql(target));
        }
        Ok(DatabaseTarget::Sqlite(default_sqlite_path))
    }

    fn from_url(raw: &str) -> Result<DatabaseTarget, TargetError> {
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if path.is_empty() {
                return Err(TargetError::EmptySqlitePath);
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
        }
        if raw.starts_with("mysql://") {
            return MysqlTarget::parse(raw).map(DatabaseTarget::Mysql);
        }
        // Only the scheme is echoed: the rest could hold a password.
        let scheme = raw.split_once(':').map_or("", |(s, _)| s);
        Err(TargetError::UnsupportedScheme {
            scheme: scheme.chars().take(20).collect(),
        })
    }
}

/// `$XDG_DATA_HOME/jobs-bot/jobs-bot.db`, else `~/.local/share/jobs-bot/jobs-bot.db`.
/// A relative `XDG_DATA_HOME` is ignored, as the XDG spec asks.
pub fn default_sqlite_path() -> Option<PathBuf> {
    sqlite_path_under(|name| std::env::var_os(name))
}

/// The default path from the variables `lookup` gives (the environment, or a test's).
fn sqlite_path_under(lookup: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    let env_dir = |name: &str| lookup(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let data_home = env_dir("XDG_DATA_HOME")
        .or_else(|| env_dir("HOME").map(|home| home.join(".local").join("share")))?;
    Some(data_home.join("jobs-bot").join("jobs-bot.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default() -> PathBuf {
        PathBuf::from("/data/jobs-bot.db")
    }

    #[test]
    fn sqlite_urls_in_both_spellings() {
        let t = DatabaseTarget::resolve(Some("sqlite:///var/lib/j.db"), None, default()).unwrap();
        assert_eq!(t, DatabaseTarget::Sqlite("/var/lib/j.db".into()));
        let t = DatabaseTarget::resolve(Some("sqlite:rel/j.db"), None, default()).unwrap();
        assert_eq!(t, DatabaseTarget::Sqlite("rel/j.db".into()));
        let t = DatabaseTarget::resolve(Some("sqlite://rel/j.db"), None, default()).unwrap();
        assert_eq!(t, DatabaseTarget::Sqlite("rel/j.db".into()));
        assert_eq!(
            DatabaseTarget::resolve(Some("sqlite:"), None, default()),
            Err(TargetError::EmptySqlitePath)
        );
    }

    #[test]
    fn mysql_url_is_parsed_and_printed_without_password() {
        let t = DatabaseTarget::resolve(
            Some("mysql://bot:p%40ss%2Fw0rd@db.example:3307/jobs"),
            None,
            default(),
        )
        .unwrap();
        let DatabaseTarget::Mysql(m) = &t else {
            panic!("expected mysql, got {t:?}");
        };
        assert_eq!(
            (
                m.host.as_str(),
                m.port,
                m.database.as_str(),
                m.user.as_str()
            ),
            ("db.example", 3307, "jobs", "bot")
        );
        assert_eq!(m.password(), Some("p@ss/w0rd"));
        assert_eq!(t.to_string(), "mysql://bot@db.example:3307/jobs");
        for shown in [format!("{t}"), format!("{t:?}"), format!("{m:?}")] {
            assert!(
                !shown.contains("p@ss") && !shown.contains("p%40ss"),
                "{shown}"
            );
        }
        assert!(m.connection_url().contains("p%40ss%2Fw0rd"));
        let back = MysqlTarget::parse(&m.connection_url()).unwrap();
        assert_eq!(&back, m);
    }

    #[test]
    fn mysql_url_defaults_port() {
        let t =
            DatabaseTarget::resolve(Some("mysql://root@127.0.0.1/test"), None, default()).unwrap();
        assert_eq!(t.to_string(), "mysql://root@127.0.0.1:3306/test");
    }

    #[test]
    fn parts_are_used_when_no_url_and_url_wins_over_parts() {
        let parts = MysqlParts {
            host: "h".into(),
            port: None,
            db: "d".into(),
            user: "u".into(),
            password: Some("secret-pw".into()),
        };
        assert!(!format!("{parts:?}").contains("secret-pw"));
        let t = DatabaseTarget::resolve(None, Some(parts.clone()), default()).unwrap();
        assert_eq!(t.to_string(), "mysql://u@h:3306/d");
        let t =
            DatabaseTarget::resolve(Some("sqlite:x.db"), Some(parts.clone()), default()).unwrap();
        assert_eq!(t, DatabaseTarget::Sqlite("x.db".into()));
        let t = DatabaseTarget::resolve(Some("  "), Some(parts), default()).unwrap();
        assert!(matches!(t, DatabaseTarget::Mysql(_)));
        let missing = MysqlParts {
            host: "h".into(),
            ..MysqlParts::default()
        };
        assert_eq!(
            DatabaseTarget::resolve(None, Some(missing), default()),
            Err(TargetError::MissingPart("database"))
        );
    }

    #[test]
    fn default_when_nothing_is_set() {
        assert_eq!(
            DatabaseTarget::resolve(None, None, default()).unwrap(),
            DatabaseTarget::Sqlite(default())
        );
    }

    #[test]
    fn other_schemes_are_rejected_without_echoing_the_url() {
        let err =
            DatabaseTarget::resolve(Some("postgres://u:hunter2@h/d"), None, default()).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
        assert_eq!(
            err,
            TargetError::UnsupportedScheme {
                scheme: "postgres".into()
            }
        );
        let err =
            DatabaseTarget::resolve(Some("mysql://u:hunter2@/d"), None, default()).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn default_path_follows_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert_eq!(
            sqlite_path_under(env(&[("XDG_DATA_HOME", "/xdg"), ("HOME", "/home/u")])),
            Some(PathBuf::from("/xdg/jobs-bot/jobs-bot.db"))
        );
        // A relative XDG_DATA_HOME is ignored, as the XDG spec asks.
        assert_eq!(
            sqlite_path_under(env(&[("XDG_DATA_HOME", "rel"), ("HOME", "/home/u")])),
            Some(PathBuf::from("/home/u/.local/share/jobs-bot/jobs-bot.db"))
        );
        assert_eq!(sqlite_path_under(env(&[("HOME", "relative")])), None);
        assert_eq!(sqlite_path_under(env(&[])), None);
    }
}
