//! `s3s-serve --host H --port P --access-key K --secret-key S ROOT`: a
//! folder served over the S3 protocol by s3s-fs (a bucket is a folder in
//! ROOT), with TCP_NODELAY on every connection. Path-style requests only;
//! stops on SIGINT/SIGTERM or when killed.

use std::path::PathBuf;

use clap::Parser;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;

/// The same options as s3s-fs's own binary, so either can be started alike.
#[derive(Parser)]
struct Options {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port to listen on.
    #[arg(long)]
    port: u16,
    /// The one access key id accepted.
    #[arg(long)]
    access_key: String,
    /// Its secret.
    #[arg(long)]
    secret_key: String,
    /// The folder served: bucket B is the folder ROOT/B.
    root: PathBuf,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse();
    let fs = s3s_fs::FileSystem::new(&options.root)
        .map_err(|e| format!("{}: {e:?}", options.root.display()))?;
    let mut service = S3ServiceBuilder::new(fs);
    service.set_auth(SimpleAuth::from_single(options.access_key, options.secret_key));
    let service = service.build();
    let listener = TcpListener::bind((options.host.as_str(), options.port)).await?;
    let http = Builder::new(TokioExecutor::new());
    loop {
        let (socket, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    eprintln!("s3s-serve: accept: {e}");
                    continue;
                }
            },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        // Why this program exists: see Cargo.toml.
        socket.set_nodelay(true)?;
        let connection = http
            .serve_connection(TokioIo::new(socket), service.clone())
            .into_owned();
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
}
