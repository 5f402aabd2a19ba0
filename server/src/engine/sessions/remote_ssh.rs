//! Pure: the ssh Host entry that lets VS Code's Remote-SSH open an allocation's node.
//!
//! One file per allocation (`<dir>/<alias>.conf`, `dir` by default `~/.ssh/clusterls`),
//! so that writing and removing one never rewrites another; the user's ssh config reads
//! them all with one `Include <dir>/*.conf` line (clusterls never edits the user's
//! config itself: the editor offers to add that line and asks first). The entry goes to
//! the node through the login host: `ProxyJump LOGIN` (ssh passes its own `-F` on to
//! the jump, and the login host's ControlMaster is reused, so no second password or
//! code), or, when clusterls reaches the cluster through an ssh config of its own
//! (`--ssh-config`), `ProxyCommand ssh -F CONFIG -W [%h]:%p LOGIN`, which works from
//! whichever config Remote-SSH reads. Whether the node lets the user in is the site's
//! policy: with `pam_slurm_adopt` only while the user has a job there (this
//! allocation), and its processes join the allocation's cgroup.

use std::path::Path;

use super::super::error::EngineError;
use super::super::shell;

/// The first line of every entry file: which allocation on which host it belongs to.
const MARKER: &str = "# clusterls-allocation: ";

/// What an entry is made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSpec {
    /// The login host's alias as clusterls reaches it (`--host`).
    pub login_host: String,
    /// `--ssh-config`, when clusterls uses one of its own.
    pub ssh_config: Option<String>,
    pub job_id: String,
    /// The allocation's (first) node.
    pub node: String,
    /// The user on the cluster (from `ssh -G LOGIN`).
    pub user: Option<String>,
    /// Identity files the login host uses (from `ssh -G LOGIN`), when set there.
    pub identity_files: Vec<String>,
    /// The control socket of clusterls's own master, when the user has none of their
    /// own: the jump goes through it (`ssh -S SOCKET`).
    pub control_path: Option<String>,
}

/// The Host alias of an allocation: `clusterls-LOGIN-ID`.
pub fn alias(login_host: &str, job_id: &str) -> String {
    format!("clusterls-{}-{job_id}", shell::safe_name(login_host))
}

/// The entry's file name in the hosts directory.
pub fn file_name(login_host: &str, job_id: &str) -> String {
    format!("{}.conf", alias(login_host, job_id))
}

/// The line the user's ssh config needs (once) to read every entry.
pub fn include_line(dir: &Path) -> String {
    format!("Include {}", config_word(&format!("{}/*.conf", dir.display())))
}

/// Whether an ssh config's text already reads the entries of `dir` (an `Include` line
/// naming it, any case, `~` or the full path).
pub fn included(config: &str, dir: &Path, home: Option<&Path>) -> bool {
    let full = dir.display().to_string();
    let tilde =
        home.and_then(|h| dir.strip_prefix(h).ok()).map(|rest| format!("~/{}", rest.display()));
    config.lines().any(|l| {
        let mut words = l.split_whitespace();
        let is_include = words.next().is_some_and(|w| w.eq_ignore_ascii_case("include"));
        is_include
            && words.any(|w| {
                let w = w.trim_matches('"');
                w.starts_with(&format!("{full}/"))
                    || tilde.as_ref().is_some_and(|t| w.starts_with(&format!("{t}/")))
            })
    })
}

/// `vscode-remote://ssh-remote+ALIAS/` (the folder `/`, or the one given).
pub fn vscode_uri(alias: &str, folder: &str) -> String {
    let folder = if folder.starts_with('/') { folder.to_string() } else { format!("/{folder}") };
    format!("vscode-remote://ssh-remote+{alias}{folder}")
}

/// A value as ssh_config reads it back as one word: double quotes around anything
/// with a space (ssh_config has no escape for `"` itself: such values are refused
/// before they get here).
fn config_word(s: &str) -> String {
    if s.contains([' ', '\t']) { format!("\"{s}\"") } else { s.to_string() }
}

fn plain(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Fit for a config line: no control character, no `"`.
fn writable(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() || c == '"')
}

/// The entry's text.
pub fn entry(h: &HostSpec) -> Result<String, EngineError> {
    if !h.job_id.chars().all(|c| c.is_ascii_digit()) || h.job_id.is_empty() {
        return Err(EngineError::Usage(format!("`{}` is not a job id", h.job_id)));
    }
    if !plain(&h.node) {
        return Err(EngineError::Usage(format!(
            "the node name `{}` cannot be written into an ssh config; open a terminal in the allocation instead",
            h.node
        )));
    }
    if !writable(&h.login_host) || h.login_host.starts_with('-') {
        return Err(EngineError::Usage(format!(
            "the host `{}` cannot be written into an ssh config",
            h.login_host
        )));
    }
    let mut t = format!("{MARKER}{} {}\n", h.job_id, h.login_host);
    t.push_str(&format!(
        "# Written by clusterls for VS Code's Remote-SSH; removed when allocation {} ends.\n",
        h.job_id
    ));
    t.push_str(&format!("Host {}\n", alias(&h.login_host, &h.job_id)));
    t.push_str(&format!("  HostName {}\n", h.node));
    if let Some(u) = h.user.as_deref().filter(|u| plain(u)) {
        t.push_str(&format!("  User {u}\n"));
    }
    for f in h.identity_files.iter().filter(|f| writable(f)) {
        // `%` starts a token in IdentityFile.
        t.push_str(&format!("  IdentityFile {}\n", config_word(&f.replace('%', "%%"))));
    }
    match &h.ssh_config {
        None if plain(&h.login_host) && h.control_path.is_none() => {
            t.push_str(&format!("  ProxyJump {}\n", h.login_host));
        }
        cfg => {
            let cfg = cfg.as_deref().filter(|c| writable(c));
            // ssh hands ProxyCommand to `sh -c "exec ..."` after expanding `%` tokens:
            // every word is shell-quoted, then each `%` of ours doubled.
            let mut words = vec!["ssh".to_string()];
            if let Some(c) = cfg {
                words.push("-F".into());
                words.push(shell::quote(c).replace('%', "%%"));
            }
            if let Some(s) = h.control_path.as_deref().filter(|s| writable(s)) {
                words.push("-S".into());
                words.push(shell::quote(s).replace('%', "%%"));
            }
            words.push("-W".into());
            words.push("'[%h]:%p'".into());
            words.push("--".into());
            words.push(shell::quote(&h.login_host).replace('%', "%%"));
            t.push_str(&format!("  ProxyCommand {}\n", words.join(" ")));
        }
    }
    Ok(t)
}

/// Which allocation an entry file belongs to: `(job id, login host)` from its first line.
pub fn owner(text: &str) -> Option<(String, String)> {
    let rest = text.lines().next()?.strip_prefix(MARKER)?;
    let (id, host) = rest.split_once(' ')?;
    Some((id.to_string(), host.to_string()))
}

/// `user` and the identity files from `ssh -G HOST` output. Files that do not exist
/// are left out (ssh -G lists its defaults whether they exist or not).
pub fn from_ssh_g(text: &str, exists: &dyn Fn(&str) -> bool) -> (Option<String>, Vec<String>) {
    let mut user = None;
    let mut files = Vec::new();
    for l in text.lines() {
        match l.split_once(' ') {
            Some(("user", u)) => user = Some(u.trim().to_string()),
            Some(("identityfile", f)) if exists(f.trim()) => files.push(f.trim().to_string()),
            _ => {}
        }
    }
    (user, files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(h: HostSpec, expected: Expect) {
        let got = match entry(&h) {
            Ok(t) => t,
            Err(e) => e.to_string(),
        };
        expected.assert_eq(&got);
    }

    fn spec() -> HostSpec {
        HostSpec {
            login_host: "mycluster".into(),
            ssh_config: None,
            job_id: "41".into(),
            node: "gpu07".into(),
            user: Some("alice".into()),
            identity_files: vec!["/home/a/.ssh/id_ed25519".into()],
            control_path: None,
        }
    }

    #[test]
    fn entries() {
        check(
            spec(),
            expect![[r#"
                # clusterls-allocation: 41 mycluster
                # Written by clusterls for VS Code's Remote-SSH; removed when allocation 41 ends.
                Host clusterls-mycluster-41
                  HostName gpu07
                  User alice
                  IdentityFile /home/a/.ssh/id_ed25519
                  ProxyJump mycluster
            "#]],
        );
        // clusterls's own ssh config: the jump names it, quoted for the shell, `%` doubled.
        check(
            HostSpec {
                ssh_config: Some("/home/a b/it's 100%/config".into()),
                identity_files: vec!["/home/a b/key%1".into(), "/x\"y".into()],
                user: Some("not a user".into()),
                ..spec()
            },
            expect![[r#"
                # clusterls-allocation: 41 mycluster
                # Written by clusterls for VS Code's Remote-SSH; removed when allocation 41 ends.
                Host clusterls-mycluster-41
                  HostName gpu07
                  IdentityFile "/home/a b/key%%1"
                  ProxyCommand ssh -F '/home/a b/it'\''s 100%%/config' -W '[%h]:%p' -- mycluster
            "#]],
        );
        // clusterls's own master (the user has none): the jump goes through it.
        check(
            HostSpec { control_path: Some("/root/.cache/clusterls/cm/ab".into()), ..spec() },
            expect![[r#"
                # clusterls-allocation: 41 mycluster
                # Written by clusterls for VS Code's Remote-SSH; removed when allocation 41 ends.
                Host clusterls-mycluster-41
                  HostName gpu07
                  User alice
                  IdentityFile /home/a/.ssh/id_ed25519
                  ProxyCommand ssh -S /root/.cache/clusterls/cm/ab -W '[%h]:%p' -- mycluster
            "#]],
        );
        // A host alias that is no plain name is quoted too.
        check(
            HostSpec { login_host: "my host".into(), user: None, identity_files: vec![], ..spec() },
            expect![[r#"
                # clusterls-allocation: 41 my host
                # Written by clusterls for VS Code's Remote-SSH; removed when allocation 41 ends.
                Host clusterls-my_host-41
                  HostName gpu07
                  ProxyCommand ssh -W '[%h]:%p' -- 'my host'
            "#]],
        );
        check(
            HostSpec { node: "gpu07\nHost *".into(), ..spec() },
            expect![[r#"
                the node name `gpu07
                Host *` cannot be written into an ssh config; open a terminal in the allocation instead"#]],
        );
        check(HostSpec { job_id: "4 1".into(), ..spec() }, expect!["`4 1` is not a job id"]);
        check(
            HostSpec { login_host: "-oProxyCommand=x".into(), ..spec() },
            expect!["the host `-oProxyCommand=x` cannot be written into an ssh config"],
        );
    }

    #[test]
    fn names_and_owner() {
        assert_eq!(file_name("testcluster", "12"), "clusterls-testcluster-12.conf");
        assert_eq!(
            include_line(Path::new("/home/a b/.ssh/clusterls")),
            "Include \"/home/a b/.ssh/clusterls/*.conf\""
        );
        assert_eq!(vscode_uri("clusterls-x-1", "/"), "vscode-remote://ssh-remote+clusterls-x-1/");
        assert_eq!(
            owner(&entry(&HostSpec { login_host: "my host".into(), ..spec() }).unwrap()),
            Some(("41".into(), "my host".into()))
        );
        assert_eq!(owner("Host x\n"), None);
        let dir = Path::new("/home/a/.ssh/clusterls");
        let home = Some(Path::new("/home/a"));
        assert!(included("Host x\n  include ~/.ssh/clusterls/*.conf\n", dir, home));
        assert!(included("Include \"/home/a/.ssh/clusterls/*.conf\"\n", dir, home));
        assert!(!included("# Include ~/.ssh/clusterls/*.conf\n", dir, home));
        assert!(!included("Include ~/.ssh/clusterls-old/*.conf\n", dir, home));
        let g = "user alice\nidentityfile /k/a\nidentityfile ~/.ssh/id_rsa\nport 22\n";
        let (u, f) = from_ssh_g(g, &|p| p == "/k/a");
        assert_eq!((u.as_deref(), f), (Some("alice"), vec!["/k/a".to_string()]));
    }
}
