//! A fake Notion (2025-09-03 data-source API) that keeps pages in memory: it checks the
//! `Authorization` and `Notion-Version` headers, records every request's time, and
//! answers scripted faults (429 with `Retry-After`, 409, 500, 503) on chosen requests.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const TOKEN: &str = "ntn_secret_token_do_not_log_42";
pub const VERSION: &str = "2025-09-03";

#[derive(Debug, Clone)]
pub struct FakePage {
    pub id: String,
    pub data_source: String,
    pub properties: Map<String, Value>,
    pub archived: bool,
}

impl FakePage {
    /// The text of a title or rich_text property.
    pub fn text(&self, name: &str) -> Option<String> {
        let p = self.properties.get(name)?;
        let parts = p.get("title").or_else(|| p.get("rich_text"))?.as_array()?;
        Some(
            parts
                .iter()
                .filter_map(|t| t["text"]["content"].as_str())
                .collect(),
        )
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub status: u16,
}

#[derive(Default)]
struct State {
    sources: HashMap<String, Map<String, Value>>,
    pages: Vec<FakePage>,
    log: Vec<Logged>,
    /// Request number (0-based, over all requests) → status to answer instead.
    faults: HashMap<usize, u16>,
    /// Every request answers this status.
    down: Option<u16>,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeNotion {
    pub server: Arc<MockServer>,
    state: Arc<Mutex<State>>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The properties the Python version created, every one jobs-bot writes.
pub fn full_schema() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Job Title", "title"),
        ("Job UID", "rich_text"),
        ("Profile", "rich_text"),
        ("Company", "rich_text"),
        ("Job URL", "url"),
        ("Fit score", "number"),
        ("Fit class", "select"),
        ("First seen", "date"),
        ("Last checked", "date"),
        ("Source", "select"),
        ("Region", "multi_select"),
        ("Status", "status"),
        ("Location", "rich_text"),
        ("Workplace", "select"),
        ("Salary", "rich_text"),
        ("Why", "rich_text"),
        ("Closed", "checkbox"),
        ("Notes", "rich_text"),
    ]
}

impl FakeNotion {
    pub async fn start() -> FakeNotion {
        let server = Arc::new(MockServer::start().await);
        let state = Arc::new(Mutex::new(State::default()));
        Mock::given(any())
            .respond_with(Responder(state.clone()))
            .mount(&server)
            .await;
        FakeNotion { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    pub fn add_data_source(&self, id: &str, props: &[(&str, &str)]) {
        let map = props
            .iter()
            .map(|(n, t)| (n.to_string(), json!({ "id": n, "name": n, "type": t })))
            .collect();
        lock(&self.state).sources.insert(id.to_string(), map);
    }

    pub fn pages(&self) -> Vec<FakePage> {
        lock(&self.state).pages.clone()
    }

    pub fn log(&self) -> Vec<Logged> {
        lock(&self.state).log.clone()
    }

    pub fn clear_log(&self) {
        lock(&self.state).log.clear();
    }

    pub fn requests(&self) -> usize {
        lock(&self.state).log.len()
    }

    /// Writes (POST /v1/pages, PATCH /v1/pages/…) logged so far.
    pub fn writes(&self) -> Vec<Logged> {
        self.log()
            .into_iter()
            .filter(|l| l.path.starts_with("/v1/pages"))
            .collect()
    }

    pub fn fault_at(&self, request: usize, status: u16) {
        lock(&self.state).faults.insert(request, status);
    }

    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    pub fn set_down(&self, status: Option<u16>) {
        lock(&self.state).down = status;
    }

    /// Creates a page directly, as a run that crashed after its create would have.
    pub fn insert_page(&self, data_source: &str, properties: Value) -> String {
        let mut st = lock(&self.state);
        st.next_id += 1;
        let id = format!("page-{:04}", st.next_id);
        st.pages.push(FakePage {
            id: id.clone(),
            data_source: data_source.into(),
            properties: properties.as_object().cloned().unwrap_or_default(),
            archived: false,
        });
        id
    }

    /// The user edits a property in Notion.
    pub fn user_sets(&self, page_id: &str, name: &str, value: Value) {
        let mut st = lock(&self.state);
        let page = st.pages.iter_mut().find(|p| p.id == page_id).unwrap();
        page.properties.insert(name.into(), value);
    }

    pub fn archive(&self, page_id: &str) {
        let mut st = lock(&self.state);
        st.pages
            .iter_mut()
            .find(|p| p.id == page_id)
            .unwrap()
            .archived = true;
    }
}

fn error(status: u16, code: &str, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "object": "error", "status": status, "code": code, "message": message
    }))
}

fn page_json(p: &FakePage) -> Value {
    json!({
        "object": "page", "id": p.id, "archived": p.archived, "in_trash": p.archived,
        "properties": p.properties,
    })
}

/// Whether `page` passes a query filter (rich_text equals, or an `and` of those).
fn matches(page: &FakePage, filter: &Value) -> bool {
    if let Some(all) = filter.get("and").and_then(Value::as_array) {
        return all.iter().all(|f| matches(page, f));
    }
    match (
        filter["property"].as_str(),
        filter["rich_text"]["equals"].as_str(),
    ) {
        (Some(prop), Some(want)) => page.text(prop).as_deref() == Some(want),
        _ => true,
    }
}

struct Responder(Arc<Mutex<State>>);

impl Respond for Responder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = lock(&self.0);
        let method = req.method.to_string();
        let path = req.url.path().to_string();
        let n = st.log.len();
        let response = answer(&mut st, req, n, &method, &path);
        let status = response_status(&response);
        st.log.push(Logged {
            at: Instant::now(),
            method,
            path,
            status,
        });
        response.0
    }
}

/// A response and the status it carries (ResponseTemplate does not expose it).
struct Answer(ResponseTemplate, u16);

fn response_status(a: &Answer) -> u16 {
    a.1
}

fn answer(st: &mut State, req: &Request, n: usize, method: &str, path: &str) -> Answer {
    let header = |name: &str| {
        req.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if header("authorization").as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return Answer(error(401, "unauthorized", "API token is invalid."), 401);
    }
    if header("notion-version").as_deref() != Some(VERSION) {
        return Answer(
            error(
                400,
                "missing_version",
                "Notion-Version header missing or wrong",
            ),
            400,
        );
    }
    if let Some(status) = st.down.or_else(|| st.faults.get(&n).copied()) {
        let r = match status {
            429 => error(429, "rate_limited", "You have been rate limited.")
                .insert_header("Retry-After", "1"),
            409 => error(409, "conflict_error", "Conflict occurred while saving."),
            503 => error(503, "service_unavailable", "Notion is unavailable."),
            s => error(s, "internal_server_error", "Unexpected error."),
        };
        return Answer(r, status);
    }
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let parts: Vec<&str> = path.trim_start_matches("/v1/").split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["data_sources", id]) => match st.sources.get(*id) {
            Some(props) => Answer(
                ResponseTemplate::new(200).set_body_json(json!({
                    "object": "data_source", "id": id, "properties": props
                })),
                200,
            ),
            None => Answer(
                error(404, "object_not_found", "Could not find data source."),
                404,
            ),
        },
        ("PATCH", ["data_sources", id]) => {
            let Some(props) = st.sources.get_mut(*id) else {
                return Answer(
                    error(404, "object_not_found", "Could not find data source."),
                    404,
                );
            };
            for (name, config) in body["properties"].as_object().cloned().unwrap_or_default() {
                let kind = config
                    .as_object()
                    .and_then(|m| m.keys().next().cloned())
                    .unwrap_or_default();
                props.insert(
                    name.clone(),
                    json!({ "id": name, "name": name, "type": kind }),
                );
            }
            Answer(
                ResponseTemplate::new(200)
                    .set_body_json(json!({ "object": "data_source", "id": id })),
                200,
            )
        }
        ("POST", ["data_sources", id, "query"]) => {
            if !st.sources.contains_key(*id) {
                return Answer(
                    error(404, "object_not_found", "Could not find data source."),
                    404,
                );
            }
            let trash = body["in_trash"].as_bool().unwrap_or(false);
            let results: Vec<Value> = st
                .pages
                .iter()
                .filter(|p| p.data_source == *id && p.archived == trash)
                .filter(|p| matches(p, &body["filter"]))
                .map(page_json)
                .collect();
            Answer(
                ResponseTemplate::new(200).set_body_json(json!({
                    "object": "list", "results": results, "next_cursor": null, "has_more": false
                })),
                200,
            )
        }
        ("POST", ["pages"]) => {
            let ds = body["parent"]["data_source_id"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let Some(schema) = st.sources.get(&ds) else {
                return Answer(
                    error(404, "object_not_found", "Could not find data source."),
                    404,
                );
            };
            let props = body["properties"].as_object().cloned().unwrap_or_default();
            if let Some(bad) = props.keys().find(|k| !schema.contains_key(*k)) {
                return Answer(
                    error(
                        400,
                        "validation_error",
                        &format!("{bad} is not a property that exists."),
                    ),
                    400,
                );
            }
            st.next_id += 1;
            let page = FakePage {
                id: format!("page-{:04}", st.next_id),
                data_source: ds,
                properties: props,
                archived: false,
            };
            let json = page_json(&page);
            st.pages.push(page);
            Answer(ResponseTemplate::new(200).set_body_json(json), 200)
        }
        ("PATCH", ["pages", id]) => {
            let Some(page) = st.pages.iter_mut().find(|p| p.id == *id) else {
                return Answer(error(404, "object_not_found", "Could not find page."), 404);
            };
            if page.archived {
                return Answer(
                    error(
                        400,
                        "validation_error",
                        "Can't edit block that is archived. You must unarchive the block before editing.",
                    ),
                    400,
                );
            }
            for (k, v) in body["properties"].as_object().cloned().unwrap_or_default() {
                page.properties.insert(k, v);
            }
            let json = page_json(page);
            Answer(ResponseTemplate::new(200).set_body_json(json), 200)
        }
        _ => Answer(
            error(400, "invalid_request_url", "Invalid request URL."),
            400,
        ),
    }
}

/// Distinct values of a text property over the pages.
pub fn texts(pages: &[FakePage], name: &str) -> HashSet<String> {
    pages.iter().filter_map(|p| p.text(name)).collect()
}
