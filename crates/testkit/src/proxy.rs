//! A TCP proxy that can cut or stall the line to a real server.
//!
//! Placed between the App and Postgres or Redis, it simulates outages without
//! touching the shared servers other tests use:
//! - [`ProxyMode::Pass`]: bytes flow both ways;
//! - [`ProxyMode::Refuse`]: open connections are closed and new ones are closed
//!   on accept, like a stopped server;
//! - [`ProxyMode::Blackhole`]: connections stay open but nothing flows, like a
//!   server stopped with SIGSTOP or a network partition.

use std::net::SocketAddr;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// Forward everything.
    Pass,
    /// Close every connection.
    Refuse,
    /// Hold connections open and forward nothing.
    Blackhole,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    address: SocketAddr,
    mode: watch::Sender<ProxyMode>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts forwarding `127.0.0.1:<free port>` to `target`.
    pub async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let address = listener.local_addr().expect("proxy address");
        let (mode, watcher) = watch::channel(ProxyMode::Pass);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let watcher = watcher.clone();
                tokio::spawn(relay(client, target, watcher));
            }
        });
        Self { address, mode, task }
    }

    /// Where clients connect.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Changes what happens to open and new connections.
    pub fn set_mode(&self, mode: ProxyMode) {
        self.mode.send_replace(mode);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(mut client: TcpStream, target: SocketAddr, mut mode: watch::Receiver<ProxyMode>) {
    if *mode.borrow_and_update() != ProxyMode::Pass {
        hold_while_blackholed(client, mode).await;
        return;
    }
    let Ok(mut server) = TcpStream::connect(target).await else {
        return;
    };
    let interrupted = tokio::select! {
        _ = copy_bidirectional(&mut client, &mut server) => false,
        _ = mode.wait_for(|mode| *mode != ProxyMode::Pass) => true,
    };
    if interrupted {
        hold_while_blackholed((client, server), mode).await;
    }
}

/// Keeps `sockets` open (silent) while black-holed, then drops them.
async fn hold_while_blackholed<T>(sockets: T, mut mode: watch::Receiver<ProxyMode>) {
    if *mode.borrow() == ProxyMode::Blackhole {
        let _ = mode.wait_for(|mode| *mode != ProxyMode::Blackhole).await;
    }
    drop(sockets);
}
