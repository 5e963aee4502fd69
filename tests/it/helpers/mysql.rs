//! Per-test MySQL/MariaDB databases for the tests that need one: created fresh, dropped
//! afterwards, and mandatory in CI.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel_async::{AsyncConnection, AsyncMysqlConnection, SimpleAsyncConnection};

/// `TEST_DATABASE_URL`. A MySQL test that cannot reach a server fails: a test that did not
/// run must never be counted as passed.
pub fn mysql_admin_url() -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => panic!(
            "TEST_DATABASE_URL is not set, so this MySQL test cannot run. Point it at a \
             MySQL/MariaDB server (e.g. TEST_DATABASE_URL=mysql://root@127.0.0.1:3306/test), \
             or leave the MySQL tests out explicitly: cargo test -- --skip mysql"
        ),
    }
}

/// A database created for one test and dropped when the test ends, pass or fail.
pub struct MysqlDb {
    admin: String,
    name: String,
    pub url: String,
}

impl MysqlDb {
    pub async fn create(admin: &str) -> MysqlDb {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "jb_test_{}_{nanos}_{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let mut conn = AsyncMysqlConnection::establish(admin).await.unwrap();
        conn.batch_execute(&format!(
            "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        ))
        .await
        .unwrap();
        let mut url = url::Url::parse(admin).unwrap();
        url.set_path(&name);
        MysqlDb {
            admin: admin.to_string(),
            name,
            url: url.to_string(),
        }
    }
}

impl MysqlDb {
    /// The database's name on the server.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs statements as the administrator (e.g. to create a user for one test).
    pub async fn admin_execute(&self, sql: &str) {
        let mut conn = AsyncMysqlConnection::establish(&self.admin).await.unwrap();
        conn.batch_execute(sql).await.unwrap();
    }
}

impl Drop for MysqlDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on async work: use a
        // thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut conn = AsyncMysqlConnection::establish(&admin).await?;
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}
