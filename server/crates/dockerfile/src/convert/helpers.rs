//! The fixed paths and shell helpers a stage's `%post` uses to copy files as Docker
//! does: written once at the top of `%post` by the stage (`step`) when its COPY/ADD
//! (`copy`) need them. A leaf, so that neither of the two depends on the other for them.

pub(super) const CONTEXT: &str = "/.clusterls-context";
pub(super) const FROM_DIR: &str = "/.clusterls-from";

/// Shell helpers written at the top of `%post` when a stage copies files.
pub(super) const COPY_FN: &str = r#"# COPY as Docker does it: a directory's contents merge into DEST; a file goes
# into DEST when DEST ends in / (or is a directory), else becomes DEST. With a MODE
# (--chmod), a copy of SRC gets that mode first.
clusterls_copy() {
    if [ -n "${3:-}" ]; then
        rm -rf /.clusterls-mode && mkdir /.clusterls-mode && cp -a "$1" /.clusterls-mode/ &&
            chmod -R "$3" "/.clusterls-mode/${1##*/}" &&
            clusterls_copy "/.clusterls-mode/${1##*/}" "$2" && rm -rf /.clusterls-mode
        return
    fi
    if [ -d "$1" ]; then mkdir -p "$2" && cp -a "$1/." "$2"
    else case "$2" in
        */) mkdir -p "$2" && cp -a "$1" "$2" ;;
        *) mkdir -p "$(dirname "$2")" && cp -a "$1" "$2" ;;
    esac; fi
}"#;
pub(super) const ADD_FN: &str = r#"# ADD: a local tar archive (by content, as Docker decides) is unpacked into DEST.
clusterls_add() {
    if [ -f "$1" ] && tar -tf "$1" >/dev/null 2>&1; then mkdir -p "$2" && tar -xf "$1" -C "$2"
    else clusterls_copy "$1" "$2" "${3:-}"; fi
}"#;
pub(super) const FETCH_FN: &str = r#"# ADD of a URL: download with curl or wget.
clusterls_fetch() {
    case "$2" in
        */) mkdir -p "$2"; set -- "$1" "$2${1##*/}" ;;
        *) mkdir -p "$(dirname "$2")" ;;
    esac
    if command -v curl >/dev/null 2>&1; then curl -fsSL -o "$2" "$1"; else wget -q -O "$2" "$1"; fi
    chmod 600 "$2"
}"#;
