//! A webhook receiver the tests start on 127.0.0.1: it records every request and answers
//! the statuses it was given, in order (the last one from then on).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone)]
pub struct Hit {
    /// Header names in lowercase.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

pub struct Receiver {
    pub url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Listens on a free port.
    pub async fn start(statuses: &[u16]) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, statuses)
    }

    /// Listens on `port` (a receiver that comes up late on an address already subscribed).
    pub async fn start_on(port: u16, statuses: &[u16]) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        Self::serve(listener, statuses)
    }

    fn serve(listener: TcpListener, statuses: &[u16]) -> Receiver {
        let port = listener.local_addr().unwrap().port();
        let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
        let statuses = Arc::new(statuses.to_vec());
        let (recorded, answers) = (hits.clone(), statuses.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (recorded, answers) = (recorded.clone(), answers.clone());
                tokio::spawn(async move {
                    let _ = handle(stream, recorded, answers).await;
                });
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/hook"),
            hits,
            task,
        }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Hit> {
        let deadline = Instant::now() + timeout;
        loop {
            let hits = self.hits();
            if hits.len() >= n {
                return hits;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} webhook requests within {timeout:?}, got {}",
                hits.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn handle(
    mut stream: TcpStream,
    hits: Arc<Mutex<Vec<Hit>>>,
    statuses: Arc<Vec<u16>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..(head_end + length).min(buf.len())].to_vec();
    let status = {
        let mut hits = hits.lock().unwrap();
        hits.push(Hit { headers, body });
        statuses
            .get(hits.len() - 1)
            .or(statuses.last())
            .copied()
            .unwrap_or(200)
    };
    let reply = format!("HTTP/1.1 {status} Test\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}

/// Verifies `X-Ironfield-Signature` exactly as the spec tells receivers to: HMAC-SHA256 of
/// `"<t>.<raw body>"` keyed by the secret's UTF-8 bytes, lowercase hex, and `t` within five
/// minutes. Panics with the reason when it does not verify.
pub fn verify_signature(hit: &Hit, secret: &str) {
    let header = hit.header("x-ironfield-signature");
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => v1 = Some(value.to_owned()),
            _ => {}
        }
    }
    let (t, v1) = (
        t.expect("a t= in the signature"),
        v1.expect("a v1= in the signature"),
    );
    let sent: i64 = t.parse().expect("t is unix seconds");
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now - sent).abs() <= 300,
        "t={sent} is outside the replay window"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(&hit.body);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(v1, expected, "the signature does not verify: {header}");
}
