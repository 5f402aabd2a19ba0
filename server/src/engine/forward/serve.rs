//! `clusterls jupyter` and `clusterls tensorboard`: an allocation (made, or given with
//! `--in-alloc`), the server started as a step in the container on its node by the
//! launcher [`plan::SERVE_SCRIPT`] (a free port and a fresh token picked there), a wait
//! until the node answers on that port, and a forward to it ([`Engine::forward`]),
//! which ends with the allocation.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::super::Engine;
use super::super::error::{EngineError, Result};
use super::super::resources::Resources;
use super::super::submit::RunOptions;
use super::plan::{self, ForwardRecord, Served, Server};
use crate::engine::sessions::plan::ForwardSpec;

/// What to start, and where.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Resources of the allocation to make (unset: clusterls.toml's).
    pub resources: Resources,
    /// `docker://REF` or a path on the cluster; default: the config's image.
    pub image: Option<String>,
    /// Use this allocation instead of making one.
    pub in_alloc: Option<String>,
    /// TensorBoard's log directory on the cluster (relative: to the home directory).
    pub logdir: Option<String>,
    /// The local port; default: a free one.
    pub local_port: Option<u16>,
    /// How long to wait for the server to answer.
    pub wait: Duration,
    /// What this call has made so far (the allocation, the step), newest last: what a
    /// caller that stops waiting (Ctrl-C) cancels so that nothing is left behind.
    pub made: Arc<Mutex<Vec<String>>>,
}

/// A server reachable on this machine.
#[derive(Debug, Clone)]
pub struct Serving {
    /// The URL to open (Jupyter's with its token).
    pub url: String,
    /// The allocation it runs in, and whether this call made it.
    pub alloc: String,
    pub made_alloc: bool,
    /// The step that runs the server (`ALLOC/RUN`).
    pub step: String,
    pub forward: ForwardRecord,
}

/// A free local port (the kernel's pick; the master binds it a moment later).
fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| EngineError::io("cannot find a free local port", e))?;
    Ok(l.local_addr().map_err(|e| EngineError::io("cannot find a free local port", e))?.port())
}

impl Engine {
    /// Start `server` on a node and forward it here; `note` hears progress lines.
    pub async fn serve(
        &self,
        server: Server,
        opts: &ServeOptions,
        note: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<Serving> {
        if server == Server::Tensorboard && opts.logdir.is_none() {
            return Err(EngineError::Usage(
                "tensorboard needs --logdir DIR (a directory on the cluster)".into(),
            ));
        }
        if self.ssh().is_none() {
            return Err(EngineError::Usage(format!(
                "{} is reached through an ssh forward: pass --host ALIAS",
                server.name()
            )));
        }
        let (alloc, made_alloc) = match &opts.in_alloc {
            Some(a) => (a.clone(), false),
            None => {
                note("requesting an allocation");
                let made = opts.made.clone();
                let remember = move |id: &str| made.lock().unwrap().push(id.to_string());
                let rec = self.alloc_with(&opts.resources, &remember).await?;
                note(&format!("allocation {} granted", rec.id));
                (rec.id, true)
            }
        };
        let r = self.serve_in(server, opts, &alloc, note).await;
        match r {
            Ok((step, forward, token)) => Ok(Serving {
                url: server.url(forward.local_port, &token),
                alloc,
                made_alloc,
                step,
                forward,
            }),
            Err(e) => {
                if made_alloc {
                    // Nothing is left behind: the allocation made for it goes too.
                    let _ = self.cancel(&alloc).await;
                }
                Err(e)
            }
        }
    }

    async fn serve_in(
        &self,
        server: Server,
        opts: &ServeOptions,
        alloc: &str,
        note: &(dyn Fn(&str) + Send + Sync),
    ) -> Result<(String, ForwardRecord, String)> {
        let dir = std::env::temp_dir().join(format!(
            "clusterls-serve-{}-{:x}",
            std::process::id(),
            super::super::store::random_token()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| EngineError::io(format!("cannot create {}", dir.display()), e))?;
        let launcher = dir.join(plan::SERVE_FILE);
        let written = std::fs::write(&launcher, plan::SERVE_SCRIPT);
        let mut args = vec![server.name().to_string()];
        args.extend(opts.logdir.clone());
        let run = RunOptions {
            args,
            image: opts.image.clone(),
            in_alloc: Some(alloc.to_string()),
            ..RunOptions::new(&launcher)
        };
        let step = match written {
            Ok(()) => self.run(&run).await,
            Err(e) => Err(EngineError::io(format!("cannot write {}", launcher.display()), e)),
        };
        let _ = std::fs::remove_dir_all(&dir);
        let step = step?;
        opts.made.lock().unwrap().push(step.id.clone());
        note(&format!("{} starting in step {}", server.name(), step.id));
        let image = opts.image.clone().or_else(|| self.config().image.clone()).unwrap_or_default();
        let started = self.wait_served(server, &step.id, &image, opts.wait).await;
        let (node, port, token) = match started {
            Ok(s) => s,
            Err(e) => {
                let _ = self.cancel(&step.id).await;
                return Err(e);
            }
        };
        note(&format!("{} answers on {node}:{port}", server.name()));
        let local = match opts.local_port {
            Some(p) => p,
            None => free_port()?,
        };
        let spec = ForwardSpec { local, remote: port };
        match self.forward(alloc, spec, Some(server.name())).await {
            Ok(f) => Ok((step.id, f, token)),
            Err(e) => {
                let _ = self.cancel(&step.id).await;
                Err(e)
            }
        }
    }

    /// Read the step's output until the launcher names its port, then probe the node
    /// until the server answers there.
    async fn wait_served(
        &self,
        server: Server,
        step: &str,
        image: &str,
        wait: Duration,
    ) -> Result<(String, u16, String)> {
        let start = Instant::now();
        let mut out = Vec::new();
        let (mut out_off, mut err_off) = (0u64, 0u64);
        let mut err = Vec::new();
        let mut pause = Duration::from_millis(300);
        // The step's record once seen final: its output is read once more (it may have
        // ended between a read and the tick) before saying why it stopped.
        let mut ended: Option<super::super::JobRecord> = None;
        loop {
            let chunk = self.logs(step, out_off, err_off).await?;
            out_off += chunk.out.len() as u64;
            err_off += chunk.err.len() as u64;
            out.extend_from_slice(&chunk.out);
            err.extend_from_slice(&chunk.err);
            let text = String::from_utf8_lossy(&out);
            match plan::parse_serve_line(&text) {
                Served::Missing => return Err(server.missing(image)),
                Served::Started { node, port, token } => {
                    plan::check_node(&node)?;
                    if self.node_answers(&node, port).await? {
                        return Ok((node, port, token));
                    }
                }
                Served::Waiting => {}
            }
            if let Some(rec) = ended {
                return Err(EngineError::Usage(format!(
                    "{} stopped before it answered (step {step} is {}); its output:\n{}{}",
                    server.name(),
                    rec.state,
                    super::super::error::last_lines(&text, 10),
                    super::super::error::last_lines(&String::from_utf8_lossy(&err), 10)
                )));
            }
            let _ = self.tick().await;
            if let Some(rec) = self.job(step)?
                && rec.is_final()
            {
                ended = Some(rec);
                continue;
            }
            if start.elapsed() > wait {
                return Err(EngineError::Usage(format!(
                    "{} did not answer within {} s (step {step}); its error output so far:\n{}",
                    server.name(),
                    wait.as_secs(),
                    super::super::error::last_lines(&String::from_utf8_lossy(&err), 10)
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }
}
