//! Every table of a database, read back as text, to prove that something changed nothing.

use std::collections::BTreeMap;

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, QueryableByName, SqliteConnection};
use diesel_async::{AsyncConnection, AsyncMysqlConnection};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    row: String,
}

#[derive(QueryableByName)]
struct Checksum {
    #[diesel(sql_type = Text, column_name = "Table")]
    table: String,
    #[diesel(sql_type = Nullable<BigInt>, column_name = "Checksum")]
    checksum: Option<i64>,
}

/// Table name → its content (SQLite: every row, quoted; MySQL: the server's checksum and
/// row count). Includes the migrations table.
pub async fn snapshot(database_url: &str) -> BTreeMap<String, String> {
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        return sqlite_snapshot(path);
    }
    mysql_snapshot(database_url).await
}

fn sqlite_snapshot(path: &str) -> BTreeMap<String, String> {
    use diesel::RunQueryDsl;
    let mut conn = SqliteConnection::establish(path).unwrap();
    let tables: Vec<Name> =
        diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .load(&mut conn)
            .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let columns: Vec<Name> =
                diesel::sql_query(format!("SELECT name FROM pragma_table_info('{}')", t.name))
                    .load(&mut conn)
                    .unwrap();
            let row_expr = columns
                .iter()
                .map(|c| format!("quote(\"{}\")", c.name))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let rows: Vec<Row> = diesel::sql_query(format!(
                "SELECT {row_expr} AS row FROM \"{}\" ORDER BY 1",
                t.name
            ))
            .load(&mut conn)
            .unwrap();
            let content = rows
                .into_iter()
                .map(|r| r.row)
                .collect::<Vec<_>>()
                .join("\n");
            (t.name, content)
        })
        .collect()
}

async fn mysql_snapshot(url: &str) -> BTreeMap<String, String> {
    use diesel_async::RunQueryDsl;
    let mut conn = AsyncMysqlConnection::establish(url).await.unwrap();
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
         WHERE table_schema = DATABASE() ORDER BY table_name",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let sums: Vec<Checksum> =
            diesel::sql_query(format!("CHECKSUM TABLE `{}` EXTENDED", t.name))
                .load(&mut conn)
                .await
                .unwrap();
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let count: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM `{}`", t.name))
            .get_result(&mut conn)
            .await
            .unwrap();
        let sum = sums.into_iter().next().map(|s| (s.table, s.checksum));
        out.insert(t.name, format!("{sum:?} rows={}", count.n));
    }
    out
}
