//! A loopback HTTP/1.1 server that answers Greenhouse and Lever board requests with the
//! generated files of the current version (keep-alive, no payload kept in memory).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::payloads::{Boards, Version};

/// The running server; requests are counted per run.
pub struct FakeAts {
    pub addr: SocketAddr,
    state: Arc<State>,
}

struct State {
    boards: Boards,
    incremental: AtomicBool,
    requests: AtomicU64,
    /// Added before each answer, as a remote API's round trip would.
    latency_ms: AtomicU64,
}

impl FakeAts {
    pub async fn start(boards: Boards) -> std::io::Result<FakeAts> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            boards,
            incremental: AtomicBool::new(false),
            requests: AtomicU64::new(0),
            latency_ms: AtomicU64::new(0),
        });
        let serving = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, serving.clone()));
            }
        });
        Ok(FakeAts { addr, state })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn serve_version(&self, version: Version) {
        self.state
            .incremental
            .store(version == Version::Incremental, Ordering::SeqCst);
    }

    /// Every answer waits this long first.
    pub fn set_latency(&self, latency: std::time::Duration) {
        let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        self.state.latency_ms.store(ms, Ordering::SeqCst);
    }

    /// Requests answered since the last call.
    pub fn take_requests(&self) -> u64 {
        self.state.requests.swap(0, Ordering::SeqCst)
    }
}

/// The board's slug from a Greenhouse or Lever path (query ignored).
fn slug_of(path: &str) -> Option<&str> {
    let path = path.split('?').next()?;
    if let Some(rest) = path.strip_prefix("/v1/boards/") {
        return rest.strip_suffix("/jobs");
    }
    path.strip_prefix("/v0/postings/")
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    loop {
        // One request head at a time: GETs carry no body.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end);
        let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let version = if state.incremental.load(Ordering::SeqCst) {
            Version::Incremental
        } else {
            Version::Base
        };
        let body = match slug_of(&path) {
            Some(slug) => tokio::fs::read(state.boards.file(version, slug)).await.ok(),
            None => None,
        };
        state.requests.fetch_add(1, Ordering::Relaxed);
        let latency = state.latency_ms.load(Ordering::SeqCst);
        if latency > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
        }
        let response = match body {
            Some(body) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                stream
                    .write_all(head.as_bytes())
                    .await
                    .and(stream.write_all(&body).await)
            }
            None => {
                stream
                    .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                    .await
            }
        };
        if response.is_err() {
            return;
        }
    }
}
