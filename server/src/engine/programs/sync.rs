//! Pure: the remote half of the incremental upload (see `super::super::upload`), kept
//! apart from the other programs: the fragment that applies a project's changes to its
//! sync directory, and the program that reads its manifest. Safe for the same reasons
//! as every program of [`super`]: constant text, user data only as file contents or
//! `"$1"`.

/// Inside a program that unpacked its upload into the stage directory `$st`: when the
/// upload carries a project (`sync/key`), bring the project's sync directory
/// (`~/.clusterls/sync/KEY/files`, with its `manifest` and `generation`) up to date
/// under its lock: check that its generation is still the one the engine read (else
/// exit [`STALE`]: another upload changed it, the engine reads it again), delete the
/// removed files (`sync/delete`, NUL-separated relative paths, each under `files/`),
/// merge the changed files (`s/`), write the new manifest and generation. A first
/// upload (`expect` = `none`) replaces `files/` whole, so a copy left by an upload cut
/// in the middle (no generation) is never trusted. Leaves `$sd` set and fd 8 holding
/// the lock, so the caller copies `$sd/files` into a run directory before anyone
/// changes it; `$sd` is empty without a project. Paths come from the engine's own tar
/// and manifest planner (relative, no `..`), and are only used after `$sd/files/`.
macro_rules! sync_apply {
    () => {
        r#"sd=
if [ -f "$st/sync/key" ]; then
  sk=$(cat -- "$st/sync/key")
  case $sk in ''|*[!a-z0-9-]*) echo "clusterls: the sync key must be lowercase letters, digits and -" >&2; exit 2;; esac
  (umask 077; mkdir -p -- "$HOME/.clusterls/sync"); chmod 700 -- "$HOME/.clusterls/sync"
  sd="$HOME/.clusterls/sync/$sk"
  mkdir -p -- "$sd"
  exec 8> "$sd/lock"
  if ! flock -n 8; then
    echo "clusterls: waiting for another upload of this project to finish" >&2
    flock -w 900 8 || { echo "clusterls: another upload of this project has held $sd/lock for 15 minutes; if none is running, remove that file and run again" >&2; exit 2; }
  fi
  want=$(cat -- "$st/sync/expect")
  have=$(cat -- "$sd/generation" 2>/dev/null || echo none)
  if [ "$want" != "$have" ]; then
    echo "clusterls: the project's copy on the cluster changed since it was read" >&2; exit 94
  fi
  rm -f -- "$sd/generation"
  if [ "$want" = none ]; then
    rm -rf -- "$sd/files"; mkdir -p -- "$st/s"; mv -T -- "$st/s" "$sd/files"
  else
    mkdir -p -- "$sd/files"
    while IFS= read -r -d '' p; do rm -rf -- "$sd/files/$p"; done < "$st/sync/delete"
    find "$sd/files" -mindepth 1 -type d -empty -delete
    if [ -d "$st/s" ]; then cp -R --remove-destination -- "$st/s/." "$sd/files/"; fi
  fi
  mv -f -- "$st/sync/manifest" "$sd/manifest"
  mv -f -- "$st/sync/generation" "$sd/generation"
fi
"#
    };
}

/// The exit status of a program that found the project's sync directory changed since
/// the engine read its manifest (`sync_apply!`); nothing was submitted or built.
pub const STALE: i32 = 94;

/// `bash -c SYNC_READ_PROGRAM clusterls-sync KEY`: the project's sync directory's
/// generation and manifest (`generation G` and the manifest's lines), or `none`. Read
/// without its lock: the upload checks the generation under the lock ([`STALE`]).
pub const SYNC_READ_PROGRAM: &str = r#"case $1 in ''|*[!a-z0-9-]*) echo "clusterls: the sync key must be lowercase letters, digits and -" >&2; exit 2;; esac
sd="$HOME/.clusterls/sync/$1"
if g=$(cat -- "$sd/generation" 2>/dev/null) && m=$(cat -- "$sd/manifest" 2>/dev/null); then
  printf 'generation %s\n%s\n' "$g" "$m"
else
  echo none
fi"#;
