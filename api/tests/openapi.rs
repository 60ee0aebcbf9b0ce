//! The OpenAPI document describes exactly the routes of `routes::ALL`, lists
//! every error code, and holds together (every reference resolves, every
//! error answer has its codes' status). The server's tests check the
//! routes against the real router and validate the document and live
//! answers with an independent validator.

use std::collections::BTreeSet;

use sealmail_api::ErrorCode;
use sealmail_api::routes::{self, Method};
use serde_json::Value;

fn document() -> Value {
    serde_json::to_value(sealmail_api::openapi::document()).unwrap()
}

/// Every operation: (method, path, the operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.to_uppercase(), path.clone(), operation.clone()));
        }
    }
    all
}

/// The codes an error answer allows: its schema's `allOf` narrows `code`.
fn codes_of(response: &Value) -> Vec<String> {
    let schema = &response["content"]["application/json"]["schema"];
    schema["allOf"][1]["properties"]["code"]["enum"]
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_document_describes_every_route_and_nothing_else() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let described: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect();
    let routes: BTreeSet<(String, String)> = routes::ALL
        .iter()
        .map(|(method, path)| (method.as_str().to_owned(), path.to_string()))
        .collect();
    let missing: Vec<_> = routes.difference(&described).collect();
    let extra: Vec<_> = described.difference(&routes).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    assert!(extra.is_empty(), "operations that are no route: {extra:?}");
    assert_eq!(described.len(), routes::ALL.len());
}

#[test]
fn the_error_code_schema_lists_every_code_in_order() {
    let doc = document();
    let listed: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let all: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, all);
    let description = doc["info"]["description"].as_str().unwrap();
    for code in ErrorCode::ALL {
        let row = format!("| `{code}` | {} |", code.http_status());
        assert!(description.contains(&row), "{row}");
    }
}

#[test]
fn every_error_answer_carries_codes_of_its_own_status() {
    let doc = document();
    let mut answered = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let status: u16 = status.parse().unwrap();
            let codes = codes_of(response);
            assert_eq!(
                status >= 400,
                !codes.is_empty(),
                "{method} {path} {status}: an error answer, and only one, lists codes"
            );
            for code in codes {
                let known = ErrorCode::ALL.iter().find(|c| c.as_str() == code);
                let known = known.unwrap_or_else(|| panic!("{method} {path}: {code}"));
                assert_eq!(known.http_status(), status, "{method} {path}: {code}");
                answered.insert(code);
            }
        }
        assert!(
            operation["responses"]["500"].is_object(),
            "{method} {path} can fail inside"
        );
    }
    // A method a path does not take is the only way to get this one; the
    // document's introduction says so.
    let unanswered: Vec<_> = ErrorCode::ALL
        .iter()
        .filter(|c| !answered.contains(c.as_str()))
        .collect();
    assert_eq!(unanswered, [&ErrorCode::MethodNotAllowed]);
}

#[test]
fn state_changing_operations_need_the_anti_forgery_header_and_reads_do_not() {
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        let schemes: Vec<String> = operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|requirement| requirement.as_object().unwrap().keys().cloned())
            .collect();
        let state_changing = Method::ALL
            .iter()
            .find(|m| m.as_str() == method)
            .unwrap()
            .is_state_changing();
        assert_eq!(
            schemes.iter().any(|s| s == "anti_forgery"),
            state_changing,
            "{method} {path}: {schemes:?}"
        );
        if path.starts_with("/api/v1/admin/") {
            assert!(schemes.iter().any(|s| s == "sender_session"), "{path}");
        }
        if path == routes::LINK_MESSAGE {
            assert!(schemes.iter().any(|s| s == "recipient_session"), "{path}");
        }
    }
    let header = &doc["components"]["securitySchemes"]["anti_forgery"];
    assert_eq!(header["in"], "header");
    assert_eq!(header["name"], routes::CSRF_HEADER);
}

#[test]
fn every_path_parameter_is_described_and_operation_ids_are_unique() {
    let doc = document();
    let mut ids = BTreeSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().unwrap().to_owned();
        assert!(ids.insert(id.clone()), "{id} twice");
        let in_path: Vec<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let described: Vec<&str> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(described, in_path, "{method} {path}");
    }
}

#[test]
fn every_reference_points_at_a_schema_in_the_document() {
    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 100, "{}", all.len());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r}"));
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} is not in the document"
        );
    }
}

#[test]
fn operations_that_take_an_api_token_name_its_scope_and_no_other_does() {
    use sealmail_api::tokens::TokenNeeds;
    let doc = document();
    for (method, path, operation) in operations(&doc) {
        let token: Vec<Value> = operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|requirement| requirement.get("api_token").cloned())
            .collect();
        let expected = match routes::token_needs(&method, &path) {
            None => vec![],
            Some(TokenNeeds::AnyScope) => vec![serde_json::json!([])],
            Some(TokenNeeds::Scope(scope)) => vec![serde_json::json!([scope.as_str()])],
        };
        assert_eq!(token, expected, "{method} {path}");
    }
    let compose = &doc["paths"][routes::MESSAGES]["post"]["security"];
    assert_eq!(
        compose,
        &serde_json::json!([{"sender_session": [], "anti_forgery": []}, {"api_token": ["send"]}])
    );
    let scheme = &doc["components"]["securitySchemes"]["api_token"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
}
