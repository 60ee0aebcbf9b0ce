//! The parts of an operation in OpenAPI's terms: path parameters, request
//! bodies, answers, and the schemas of this crate they refer to.

use std::borrow::Cow;
use std::collections::BTreeMap;

use utoipa::ToSchema;
use utoipa::openapi::encoding::Encoding;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::schema::{AllOf, Array, Object, Type};
use utoipa::openapi::{Content, Ref, RefOr, Required, Response, Schema};

use crate::ErrorCode;

/// A schema of this crate, put in the components when an operation uses it.
#[derive(Clone, Copy)]
pub(super) struct Named {
    name: fn() -> Cow<'static, str>,
    schema: fn() -> RefOr<Schema>,
    uses: fn(&mut Vec<(String, RefOr<Schema>)>),
}

/// `T`'s schema.
pub(super) fn named<T: ToSchema>() -> Named {
    Named {
        name: T::name,
        schema: T::schema,
        uses: T::schemas,
    }
}

/// The components' schemas, gathered as the operations use them.
#[derive(Default)]
pub(super) struct Registry(BTreeMap<String, RefOr<Schema>>);

impl Registry {
    /// Puts `named` and every schema it uses in the components; a reference to it.
    pub(super) fn add(&mut self, named: Named) -> RefOr<Schema> {
        let name = (named.name)().into_owned();
        let mut uses = Vec::new();
        (named.uses)(&mut uses);
        self.0.extend(uses);
        self.0.insert(name.clone(), (named.schema)());
        RefOr::Ref(Ref::from_schema_name(name))
    }

    pub(super) fn into_schemas(self) -> BTreeMap<String, RefOr<Schema>> {
        self.0
    }
}

/// A parameter for each `{name}` of the path.
pub(super) fn path_parameters(path: &str) -> Vec<Parameter> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            Parameter::builder()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some(describe_path_parameter(name)))
                .schema(Some(Object::with_type(Type::String)))
                .build()
        })
        .collect()
}

fn describe_path_parameter(name: &str) -> &'static str {
    match name {
        "token" => "The link token, as in the notification mail's link.",
        "message_id" => "A Message-ID, with or without `<>`, percent-encoded.",
        _ => "The id this API gave the resource.",
    }
}

/// A body described by `schema`.
fn with_schema(schema: impl Into<RefOr<Schema>>) -> Content {
    Content::new(Some(schema))
}

/// A file's bytes, whatever the type: no schema.
fn any_bytes() -> Content {
    Content::new(None::<RefOr<Schema>>)
}

pub(super) fn request_body(body: &Body, registry: &mut Registry) -> RequestBody {
    let builder = RequestBody::builder().required(Some(Required::True));
    match body {
        Body::Json(schema) => {
            builder.content("application/json", with_schema(registry.add(*schema)))
        }
        Body::OptionalJson(schema) => builder
            .required(Some(Required::False))
            .description(Some(
                "Optional: without a body, every field takes its default.",
            ))
            .content("application/json", with_schema(registry.add(*schema))),
        Body::Multipart { part, json: schema } => builder.content(
            "multipart/form-data",
            multipart(part, registry.add(*schema)),
        ),
        Body::JsonOrMultipart { part, json: schema } => {
            let schema = registry.add(*schema);
            builder
                .content("application/json", with_schema(schema.clone()))
                .content("multipart/form-data", multipart(part, schema))
        }
        Body::File(types) => types
            .iter()
            .fold(builder, |builder, t| builder.content(*t, any_bytes())),
    }
    .build()
}

/// The JSON in the part named `part`, then the files, each a part of its
/// own whose file name and type are kept.
fn multipart(part: &str, schema: RefOr<Schema>) -> Content {
    let file = Object::builder()
        .schema_type(Type::String)
        .content_media_type("application/octet-stream");
    let form = Object::builder()
        .schema_type(Type::Object)
        .description(Some(format!(
            "The JSON in the part `{part}`, which comes first; then one part per \
             file (any name; its file name and content type are kept)."
        )))
        .property(part, schema)
        .required(part)
        .additional_properties(Some(file));
    Content::builder()
        .schema(Some(form))
        .encoding(
            part,
            Encoding::builder().content_type(Some("application/json")),
        )
        .build()
}

pub(super) fn success(answer: &Answer, registry: &mut Registry) -> Response {
    let response = |description: &str| Response::builder().description(description);
    match answer {
        Answer::Json(schema) => {
            response("OK").content("application/json", with_schema(registry.add(*schema)))
        }
        Answer::List(schema) => response("OK").content(
            "application/json",
            with_schema(Array::new(registry.add(*schema))),
        ),
        Answer::JsonOrCsv(schema) => response("JSON; CSV with `format=csv` (a download)")
            .content("application/json", with_schema(registry.add(*schema)))
            .content("text/csv", with_schema(Object::with_type(Type::String))),
        Answer::Text(text) => response("OK").content(
            "application/json",
            with_schema(
                Object::builder()
                    .schema_type(Type::String)
                    .enum_values(Some([*text])),
            ),
        ),
        Answer::Html => response("The document")
            .content("text/html", with_schema(Object::with_type(Type::String))),
        Answer::Download => response(
            "The file, as a download (`Content-Disposition: attachment`), of its stored \
             type unless a browser could run that type (then `application/octet-stream`)",
        )
        .content("*/*", any_bytes()),
        Answer::Image(types) => types
            .iter()
            .fold(response("The image, of its stored type"), |r, t| {
                r.content(*t, any_bytes())
            }),
        Answer::OpenApi => response("This document (OpenAPI 3.1)").content(
            "application/json",
            with_schema(Object::with_type(Type::Object)),
        ),
        Answer::Nothing => response("Done"),
        Answer::Redirect(to) => return redirect(to),
        Answer::JsonOrRedirect(schema, _) => response("OK (a client that is not a browser)")
            .content("application/json", with_schema(registry.add(*schema))),
    }
    .build()
}

/// A 303 answer: `Location` says where, as `to` describes it.
pub(super) fn redirect(to: &str) -> Response {
    Response::builder()
        .description(format!("See Other: {to}"))
        .header(
            "Location",
            utoipa::openapi::header::Header::new(Object::with_type(Type::String)),
        )
        .build()
}

/// An error answer with one of `codes` (all of one status).
pub(super) fn failure(codes: &[ErrorCode], error_body: RefOr<Schema>) -> Response {
    let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    let only_these = Object::builder().property(
        "code",
        Object::builder()
            .schema_type(Type::String)
            .enum_values(Some(codes.iter().map(|c| c.as_str()))),
    );
    let schema = AllOf::builder().item(error_body).item(only_these);
    Response::builder()
        .description(listed.join(", "))
        .content("application/json", with_schema(schema))
        .build()
}

/// What a request carries.
pub(super) enum Body {
    /// JSON.
    Json(Named),
    /// JSON, or nothing at all (then every field takes its default).
    OptionalJson(Named),
    /// `multipart/form-data`: the JSON in the part named `part`, first, then
    /// one part per file.
    Multipart { part: &'static str, json: Named },
    /// JSON, or multipart as [`Body::Multipart`].
    JsonOrMultipart { part: &'static str, json: Named },
    /// The bytes of a file of one of these types.
    File(&'static [&'static str]),
}

/// What a success answers.
pub(super) enum Answer {
    /// JSON.
    Json(Named),
    /// A JSON array.
    List(Named),
    /// JSON, or CSV with `format=csv`.
    JsonOrCsv(Named),
    /// This JSON string.
    Text(&'static str),
    /// An HTML document.
    Html,
    /// A file of its stored type, as a download.
    Download,
    /// An image of one of these types.
    Image(&'static [&'static str]),
    /// This very document.
    OpenApi,
    /// Nothing: 204.
    Nothing,
    /// 303 to where this says (a browser navigation).
    Redirect(&'static str),
    /// JSON; a browser (`Accept: text/html`) is sent on instead: 303 to
    /// where this says.
    JsonOrRedirect(Named, &'static str),
}
