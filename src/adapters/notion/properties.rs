//! Property values as Notion spells them.

use serde_json::{Value, json};

use crate::domain::sync::{Prop, PropKind, PropValue, PropertyNames, TEXT_LIMIT, truncate};

fn text(content: &str) -> Value {
    json!([{ "text": { "content": truncate(content, TEXT_LIMIT) } }])
}

/// One value as Notion's property value object.
pub fn value(v: &PropValue) -> Value {
    match v {
        PropValue::Title(s) => json!({ "title": text(s) }),
        PropValue::RichText(s) => json!({ "rich_text": text(s) }),
        PropValue::Number(n) => json!({ "number": n }),
        PropValue::Select(s) => json!({ "select": { "name": s } }),
        PropValue::MultiSelect(names) => {
            json!({ "multi_select": names.iter().map(|n| json!({ "name": n })).collect::<Vec<_>>() })
        }
        PropValue::Url(u) => json!({ "url": truncate(u, TEXT_LIMIT) }),
        PropValue::Date(d) => json!({ "date": { "start": d } }),
        PropValue::Checkbox(b) => json!({ "checkbox": b }),
        PropValue::Status(s) => json!({ "status": { "name": s } }),
    }
}

/// The `properties` object of a create or update.
pub fn encode(props: &[(Prop, PropValue)], names: &PropertyNames) -> Value {
    let map: serde_json::Map<String, Value> = props
        .iter()
        .map(|(p, v)| (names.name(*p).to_string(), value(v)))
        .collect();
    Value::Object(map)
}

/// The configuration of a new property (`PATCH /v1/data_sources/{id}`).
pub fn property_schema(kind: PropKind) -> Value {
    match kind {
        PropKind::Select | PropKind::MultiSelect => {
            json!({ kind.as_str(): { "options": [] } })
        }
        other => json!({ other.as_str(): {} }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_notion_spells_them() {
        let long = "x".repeat(2500);
        let body = encode(
            &[
                (Prop::JobTitle, PropValue::Title(long)),
                (Prop::FitScore, PropValue::Number(82.0)),
                (Prop::FitClass, PropValue::Select("Good".into())),
                (Prop::Region, PropValue::MultiSelect(vec!["EU".into()])),
                (Prop::FirstSeen, PropValue::Date("2026-11-30".into())),
                (Prop::Closed, PropValue::Checkbox(true)),
                (Prop::Status, PropValue::Status("New".into())),
            ],
            &PropertyNames::default(),
        );
        let title = body["Job Title"]["title"][0]["text"]["content"]
            .as_str()
            .unwrap();
        assert_eq!(title.len(), 2000);
        assert_eq!(body["Fit score"], json!({ "number": 82.0 }));
        assert_eq!(body["Fit class"], json!({ "select": { "name": "Good" } }));
        assert_eq!(
            body["Region"],
            json!({ "multi_select": [{ "name": "EU" }] })
        );
        assert_eq!(
            body["First seen"],
            json!({ "date": { "start": "2026-11-30" } })
        );
        assert_eq!(body["Closed"], json!({ "checkbox": true }));
        assert_eq!(body["Status"], json!({ "status": { "name": "New" } }));
        assert_eq!(
            property_schema(PropKind::Select),
            json!({ "select": { "options": [] } })
        );
        assert_eq!(property_schema(PropKind::Url), json!({ "url": {} }));
    }

    #[test]
    fn renamed_properties_are_written_under_their_new_names() {
        let names = PropertyNames::renamed([(Prop::FitScore, "Score".to_string())]).unwrap();
        let body = encode(
            &[
                (Prop::FitScore, PropValue::Number(70.0)),
                (Prop::Closed, PropValue::Checkbox(false)),
            ],
            &names,
        );
        assert_eq!(body["Score"], json!({ "number": 70.0 }));
        assert_eq!(body["Closed"], json!({ "checkbox": false }));
        assert!(body.get("Fit score").is_none());
    }
}
