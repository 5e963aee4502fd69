//! End-to-end: configuration errors, sources commands and help, through the built binary.

use crate::helpers::e2e::{Backend, World};

#[tokio::test(flavor = "multi_thread")]
async fn invalid_configuration_exits_2_and_names_every_problem() {
    let mut world = World::new(Backend::Sqlite).await;
    world.set("MAX_FETCH_PER_RUN", "0");
    world.set("FIT_MIN", "sixty");
    world.set("SYNC_TO_NOTION", "1");
    world.set("MYSQL_PASSWORD", "hunter2-secret");
    let out = world.run(&["check-config"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for var in ["MAX_FETCH_PER_RUN", "FIT_MIN", "NOTION_TOKEN"] {
        assert!(err.contains(var), "{var} not named in {err}");
    }
    assert!(!err.contains("hunter2-secret"));
    // Ingest refuses too, before doing anything.
    let out = world.run(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(!world.dir.path().join("jobs.db").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_sources_file_exits_2_naming_entry_and_line() {
    let world = World::new(Backend::Sqlite).await;
    std::fs::write(
        world.sources_path(),
        "[[sources]]\nats = \"lever\"\nslug = \"ok\"\n\n[[sources]]\nats = \"taleo\"\nslug = \"x\"\n",
    )
    .unwrap();
    let out = world.run(&["sources", "check"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("entry 2 (line 5)") && err.contains("taleo"),
        "{err}"
    );
    let out = world.run(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn sources_add_appends_and_check_accepts() {
    let world = World::new(Backend::Sqlite).await;
    world.declare(&["acme"], &[]);
    let out = world
        .run(&[
            "sources",
            "add",
            "https://jobs.eu.lever.co/beta/123?x=1",
            "--name",
            "Beta",
        ])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(world.sources_path()).unwrap();
    assert!(
        text.contains("slug = \"beta\"") && text.contains("region = \"eu\""),
        "{text}"
    );
    let out = world
        .run(&[
            "sources",
            "add",
            "https://evil.example/boards.greenhouse.io/x",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let out = world.run(&["sources", "check"]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 sources"));
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_database_exits_1_without_leaking_the_password() {
    let mut world = World::new(Backend::Sqlite).await;
    world.declare(&["acme"], &[]);
    world.database_url = "mysql://bot:pa55-secret@127.0.0.1:1/jobs".into();
    world.set("DATABASE_URL", "mysql://bot:pa55-secret@127.0.0.1:1/jobs");
    let out = world.run(&["ingest"]).await;
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("pa55-secret"), "{all}");
}

#[tokio::test(flavor = "multi_thread")]
async fn help_lists_the_commands() {
    let world = World::new(Backend::Sqlite).await;
    let out = world.run(&["--help"]).await;
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // The first word of each line of the "Commands:" section, not a substring anywhere
    // (the program's own name contains "jobs").
    let commands: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for cmd in [
        "ingest",
        "check-config",
        "migrate",
        "sources",
        "jobs",
        "reparse",
    ] {
        assert!(commands.contains(&cmd), "{cmd} missing from {commands:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn eu_region_on_greenhouse_exits_2_and_eu_hosted_boards_are_added_plainly() {
    let world = World::new(Backend::Sqlite).await;
    std::fs::write(
        world.sources_path(),
        "[[sources]]\nats = \"lever\"\nslug = \"ok\"\n\n\
         [[sources]]\nats = \"greenhouse\"\nslug = \"acme\"\nregion = \"eu\"\n",
    )
    .unwrap();
    let out = world.run(&["sources", "check"]).await;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("entry 2 (line 5)")
            && err.contains("greenhouse has no EU API instance")
            && err.contains("remove region"),
        "{err}"
    );

    std::fs::write(world.sources_path(), "").unwrap();
    let out = world
        .run(&["sources", "add", "https://job-boards.eu.greenhouse.io/acme"])
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(world.sources_path()).unwrap();
    assert!(
        text.contains("ats = \"greenhouse\"") && !text.contains("region"),
        "{text}"
    );
    let out = world.run(&["sources", "add", "greenhouse-eu:beta"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("write greenhouse:beta instead"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
