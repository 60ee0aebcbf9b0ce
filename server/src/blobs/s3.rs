//! Attachments in an S3-compatible bucket: `PREFIX/MESSAGE/ATTACHMENT`.
//! Written with a multipart upload as they are sealed (a part at a time,
//! at most two parts in flight), read with ranged GETs of whole batches of
//! chunks, so an attachment of any size is never all in memory.

mod tls;

use std::ops::Range;
use std::sync::Arc;

use axum::body::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt as _, PutPayload, WriteMultipart};

use super::StoredObject;
use crate::config::BlobConfig;
use crate::error::{Error, Result};

/// The size of an upload's parts: S3's smallest (all but the last part must
/// be at least 5 MiB). An upload holds about three: one filling, two sent.
const PART_SIZE: usize = 5 * 1024 * 1024;

/// Parts of one upload in flight at once.
const PARTS_IN_FLIGHT: usize = 2;

/// A bucket (and a prefix in it) of sealed attachments.
#[derive(Clone)]
pub struct S3Blobs {
    store: Arc<AmazonS3>,
    bucket: String,
    prefix: Path,
}

impl std::fmt::Debug for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "S3Blobs({self})")
    }
}

impl std::fmt::Display for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

fn failed(what: &str, e: object_store::Error) -> Error {
    // The client's message ends at "error sending request": the reason a
    // certificate was refused is further down its sources.
    match tls::certificate_problem(&e) {
        Some(problem) => Error::Internal(format!(
            "attachment store: {what}: {e}: the S3 endpoint's TLS certificate does not \
             verify ({problem}); if a private CA issued it, give that CA's certificate \
             with --s3-ca-file"
        )),
        None => Error::Internal(format!("attachment store: {what}: {e}")),
    }
}

impl S3Blobs {
    /// The store at `BUCKET/PREFIX` (what follows `s3://`).
    pub fn new(bucket_and_prefix: &str, config: &BlobConfig) -> Result<Self> {
        let (bucket, prefix) = bucket_and_prefix
            .split_once('/')
            .unwrap_or((bucket_and_prefix, ""));
        if bucket.is_empty() {
            return Err(Error::InvalidRequest(
                "--blob-url: expected s3://BUCKET/PREFIX".into(),
            ));
        }
        let prefix = Path::parse(prefix.trim_matches('/'))
            .map_err(|e| Error::InvalidRequest(format!("--blob-url: the prefix: {e}")))?;
        // The HTTP client is reqwest over rustls with no provider of its own
        // (no second crypto stack): it takes the process's, ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = tls::client_options(config.s3_ca_file.as_deref())?;
        // The usual AWS variables first (session tokens, web identity,
        // container credentials), then our options over them.
        let mut builder = builder_from_env(client).with_bucket_name(bucket);
        if let Some(endpoint) = &config.s3_endpoint {
            let plain = endpoint.starts_with("http://");
            if plain && !config.s3_allow_http && !is_loopback(endpoint) {
                return Err(Error::InvalidRequest(format!(
                    "--s3-endpoint {endpoint} is plain http: use https, or --s3-allow-http"
                )));
            }
            builder = builder.with_endpoint(endpoint).with_allow_http(plain);
        }
        builder = builder.with_region(config.s3_region.as_deref().unwrap_or("us-east-1"));
        if let Some(id) = &config.s3_access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &config.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret.0.expose());
        }
        let store = builder
            .build()
            .map_err(|e| Error::InvalidRequest(format!("--blob-url: {e}")))?;
        Ok(S3Blobs {
            store: Arc::new(store),
            bucket: bucket.to_owned(),
            prefix,
        })
    }

    /// Checks that the bucket answers (a listing of at most one page).
    pub(super) async fn prepare(&self) -> Result<()> {
        let mut listing = self.store.list(Some(&self.prefix));
        if let Some(Err(e)) = listing.next().await {
            return Err(failed(&format!("cannot list {self}"), e));
        }
        Ok(())
    }

    fn message_path(&self, message: &str) -> Path {
        self.prefix.clone().join(message)
    }

    fn path(&self, message: &str, attachment: &str) -> Path {
        self.message_path(message).join(attachment)
    }

    pub(super) fn create(&self, message: &str, attachment: &str) -> Upload {
        Upload {
            store: self.store.clone(),
            path: self.path(message, attachment),
            pending: Vec::new(),
            pending_len: 0,
            upload: None,
        }
    }

    pub(super) fn reader(&self, message: &str, attachment: &str) -> Reader {
        Reader {
            store: self.store.clone(),
            path: self.path(message, attachment),
        }
    }

    pub(super) async fn read_all(&self, message: &str, attachment: &str) -> Result<Vec<u8>> {
        let path = self.path(message, attachment);
        let got = self
            .store
            .get(&path)
            .await
            .map_err(|e| failed("reading", e))?;
        let bytes = got.bytes().await.map_err(|e| failed("reading", e))?;
        Ok(bytes.into())
    }

    pub(super) async fn delete_message(&self, message: &str) -> Result<()> {
        delete_prefix(&self.store, self.message_path(message)).await
    }

    pub(super) fn discard_message(&self, message: &str) {
        let (store, prefix) = (self.store.clone(), self.message_path(message));
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = delete_prefix(&store, prefix).await {
                    tracing::warn!(error = %e, "could not delete an unsent message's attachments");
                }
            });
        }
    }

    pub(super) async fn delete(&self, message: &str, attachment: &str) -> Result<()> {
        match self.store.delete(&self.path(message, attachment)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(failed("deleting", e)),
        }
    }

    pub(super) async fn list(&self) -> Result<Vec<StoredObject>> {
        let objects: Vec<_> = self
            .store
            .list(Some(&self.prefix))
            .try_collect()
            .await
            .map_err(|e| failed("listing", e))?;
        Ok(objects
            .into_iter()
            .filter_map(|meta| {
                let mut rest = meta.location.prefix_match(&self.prefix)?;
                let message = rest.next()?.as_ref().to_owned();
                let attachment = rest.next()?.as_ref().to_owned();
                rest.next().is_none().then(|| StoredObject {
                    message,
                    attachment,
                    modified: meta.last_modified.timestamp(),
                })
            })
            .collect())
    }

    pub(super) async fn put(&self, message: &str, attachment: &str, bytes: Vec<u8>) -> Result<()> {
        self.store
            .put(&self.path(message, attachment), PutPayload::from(bytes))
            .await
            .map(drop)
            .map_err(|e| failed("writing", e))
    }
}

/// Deletes every object under `prefix` (listed, then deleted in bulk).
async fn delete_prefix(store: &Arc<AmazonS3>, prefix: Path) -> Result<()> {
    let locations = store
        .list(Some(&prefix))
        .map_ok(|meta| meta.location)
        .boxed();
    store
        .delete_stream(locations)
        .try_for_each(|_| async { Ok(()) })
        .await
        .or_else(|e| match e {
            object_store::Error::NotFound { .. } => Ok(()),
            e => Err(failed("deleting", e)),
        })
}

/// [`AmazonS3Builder::from_env`] over our client options: the variables'
/// client settings (`AWS_PROXY_URL`, …) still apply, added to ours rather
/// than replaced by them.
fn builder_from_env(client: ClientOptions) -> AmazonS3Builder {
    let mut builder = AmazonS3Builder::new().with_client_options(client);
    for (key, value) in std::env::vars() {
        if key.starts_with("AWS_")
            && let Ok(key) = key.to_ascii_lowercase().parse()
        {
            builder = builder.with_config(key, value);
        }
    }
    builder
}

fn is_loopback(endpoint: &str) -> bool {
    url::Url::parse(endpoint)
        .ok()
        .and_then(|u| match u.host()? {
            url::Host::Domain(d) => Some(d == "localhost"),
            url::Host::Ipv4(ip) => Some(ip.is_loopback()),
            url::Host::Ipv6(ip) => Some(ip.is_loopback()),
        })
        .unwrap_or(false)
}

/// An attachment being uploaded. Its first part is held until it is full:
/// an attachment smaller than a part goes up in one PUT, a larger one in a
/// multipart upload started then. Dropped unfinished, the upload is aborted
/// (S3 would otherwise keep, and bill, its parts).
pub struct Upload {
    store: Arc<AmazonS3>,
    path: Path,
    pending: Vec<Bytes>,
    pending_len: usize,
    upload: Option<WriteMultipart>,
}

impl Upload {
    pub(super) async fn write(&mut self, fill: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Result<()> {
        if let Some(upload) = &mut self.upload {
            upload
                .wait_for_capacity(PARTS_IN_FLIGHT)
                .await
                .map_err(|e| failed("uploading", e))?;
        }
        let batch = Bytes::from(fill(super::BlobWriter::buffer()));
        match &mut self.upload {
            Some(upload) => upload.put(batch),
            None => {
                self.pending_len += batch.len();
                self.pending.push(batch);
                if self.pending_len >= PART_SIZE {
                    let started = self
                        .store
                        .put_multipart(&self.path)
                        .await
                        .map_err(|e| failed("starting an upload", e))?;
                    let mut upload = WriteMultipart::new_with_chunk_size(started, PART_SIZE);
                    for held in self.pending.drain(..) {
                        upload.put(held);
                    }
                    self.pending_len = 0;
                    self.upload = Some(upload);
                }
            }
        }
        Ok(())
    }

    pub(super) async fn finish(mut self, last: Vec<u8>) -> Result<()> {
        let last = Bytes::from(last);
        match self.upload.take() {
            // `finish` aborts the upload itself if a part or the completion fails.
            Some(mut upload) => {
                upload.put(last);
                upload
                    .finish()
                    .await
                    .map_err(|e| failed("finishing an upload", e))?;
            }
            None => {
                self.pending.push(last);
                let payload: PutPayload = std::mem::take(&mut self.pending).into_iter().collect();
                self.store
                    .put(&self.path, payload)
                    .await
                    .map_err(|e| failed("writing", e))?;
            }
        }
        Ok(())
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(upload) = self.upload.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(e) = upload.abort().await {
                    tracing::warn!(error = %e, "could not abort an attachment's upload");
                }
            });
        }
    }
}

/// An attachment read with ranged GETs.
pub struct Reader {
    store: Arc<AmazonS3>,
    path: Path,
}

impl Reader {
    pub(super) async fn read_at(
        &self,
        offset: u64,
        len: usize,
        buf: &mut Vec<u8>,
    ) -> Result<usize> {
        let range: Range<u64> = offset..offset + len as u64;
        let bytes = self
            .store
            .get_range(&self.path, range)
            .await
            .map_err(|e| failed("reading", e))?;
        buf.clear();
        buf.extend_from_slice(&bytes);
        Ok(bytes.len())
    }
}
