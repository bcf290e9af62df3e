//! A fault-injecting TCP proxy on loopback, between the store under test and the server.
//!
//! It forwards bytes both ways unchanged until [`FaultProxy::drop_after_commit`] arms it: the
//! next client message containing `COMMIT` is forwarded to the server, and then the proxy cuts
//! that connection without passing on anything the server answers (the server commits; the
//! client never hears it). That is a network failure at the worst moment of a transaction.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// The proxy: a listener on `127.0.0.1:0` and one pair of pumps per connection.
pub(super) struct FaultProxy {
    addr: SocketAddr,
    armed: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    accept: JoinHandle<()>,
}

/// The `host:port` of a `postgres://user[:password]@host:port/db` URL, and the URL around it.
fn split_authority(url: &str) -> (&str, &str, &str) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let host_start = authority.rfind('@').map_or(start, |i| start + i + 1);
    (&url[..host_start], &url[host_start..end], &url[end..])
}

impl FaultProxy {
    /// Starts a proxy in front of the server of `url`.
    pub(super) async fn start(url: &str) -> FaultProxy {
        let (_, upstream, _) = split_authority(url);
        let upstream = upstream.to_owned();
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy on loopback");
        let addr = listener.local_addr().expect("proxy address");
        let armed = Arc::new(AtomicBool::new(false));
        let cuts = Arc::new(AtomicUsize::new(0));
        let (armed_in, cuts_in) = (Arc::clone(&armed), Arc::clone(&cuts));
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let cut = Arc::new(Notify::new());
                let is_cut = Arc::new(AtomicBool::new(false));
                tokio::spawn(to_server(
                    client_read,
                    server_write,
                    Arc::clone(&armed_in),
                    Arc::clone(&cuts_in),
                    Arc::clone(&cut),
                    Arc::clone(&is_cut),
                ));
                tokio::spawn(to_client(server_read, client_write, cut, is_cut));
            }
        });
        FaultProxy {
            addr,
            armed,
            cuts,
            accept,
        }
    }

    /// `url` with its host and port replaced by the proxy's.
    pub(super) fn url(&self, url: &str) -> String {
        let (before, _, after) = split_authority(url);
        format!("{before}{}{after}", self.addr)
    }

    /// Arms the proxy: the next `COMMIT` goes through, its reply does not, and its
    /// connection is cut.
    pub(super) fn drop_after_commit(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    /// How many connections were cut so far.
    pub(super) fn cuts(&self) -> usize {
        self.cuts.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Client to server. When armed and a chunk holds `COMMIT`: marks the connection cut (before
/// the server can answer), forwards the chunk, and ends, closing the server side for writing.
async fn to_server(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    armed: Arc<AtomicBool>,
    cuts: Arc<AtomicUsize>,
    cut: Arc<Notify>,
    is_cut: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        if contains(chunk, b"COMMIT") && armed.swap(false, Ordering::SeqCst) {
            is_cut.store(true, Ordering::SeqCst);
            cut.notify_one();
            let _ = to.write_all(chunk).await;
            let _ = to.flush().await;
            cuts.fetch_add(1, Ordering::SeqCst);
            return;
        }
        if to.write_all(chunk).await.is_err() {
            return;
        }
    }
}

/// Server to client, until the connection is cut: then nothing more is passed on and the
/// client side is closed.
async fn to_client(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    cut: Arc<Notify>,
    is_cut: Arc<AtomicBool>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        tokio::select! {
            () = cut.notified() => return,
            read = from.read(&mut buf) => {
                let n = match read {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                if is_cut.load(Ordering::SeqCst) || to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}
