//! No cycles between modules: in `server/src` and in every crate under `server/crates`.
//!
//! Every reference (see `source`) names a module of the crate: the longest module its
//! segments spell, then followed through the `use` declarations of that module
//! (`pub use a::X` at a root is an edge to `a`, not to the root; globs and aliases
//! included) to the module that defines the item.

use std::path::Path;

use super::source::{Crate, ModPath};
use super::{crate_sources, in_temp_crate, repo};

/// Cycles between sibling modules of the crate under `src`: at its top and among the
/// children of each module. An edge a → b means code in a (or below it) names something
/// that b (or a module below it) defines. Each cycle is reported once with, for each of its
/// edges, one place that makes it.
fn module_cycles(src: &Path) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let krate = Crate::read(src);
    // parent -> child -> child it uses -> one place that does.
    let mut graphs: BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
    for (from, place, target) in &krate.references {
        let to = krate.resolve(target);
        let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
        if common >= from.len() || common >= to.len() {
            continue; // A module and its own ancestor or descendant.
        }
        graphs
            .entry(from[..common].to_vec())
            .or_default()
            .entry(from[common].clone())
            .or_default()
            .entry(to[common].clone())
            .or_insert_with(|| place.clone());
    }
    let mut cycles = Vec::new();
    for (parent, graph) in &graphs {
        let at = if parent.is_empty() { "crate".to_string() } else { parent.join("::") };
        // Depth-first search from each node, reporting a path back to it.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((node, path)) = stack.pop() {
                for next in graph.get(&node).into_iter().flat_map(|n| n.keys()) {
                    if next == start {
                        // Report each cycle once, from its smallest member.
                        if path.iter().all(|n| n >= start) {
                            let mut cycle = path.clone();
                            cycle.push(start.clone());
                            let why: Vec<String> = cycle
                                .windows(2)
                                .map(|w| {
                                    format!("    {} -> {}: {}", w[0], w[1], graph[&w[0]][&w[1]])
                                })
                                .collect();
                            cycles.push(format!(
                                "{at}: {}\n{}",
                                cycle.join(" -> "),
                                why.join("\n")
                            ));
                        }
                    } else if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    cycles.sort();
    cycles
}

#[test]
fn modules_form_no_cycle() {
    let mut all = Vec::new();
    for src in crate_sources() {
        let rel = src.strip_prefix(repo()).unwrap().display().to_string();
        all.extend(module_cycles(&src).into_iter().map(|c| format!("{rel}: {c}")));
    }
    assert!(
        all.is_empty(),
        "import cycles between modules (move what both sides need into a module both may use):\n{}",
        all.join("\n")
    );
}

/// The cycles found in a crate written from `files`, without the places.
fn cycles_in(files: &[(&str, &str)]) -> Vec<String> {
    let cycles = in_temp_crate(files, module_cycles);
    cycles.iter().map(|c| c.lines().next().unwrap().to_string()).collect()
}

#[test]
fn the_cycle_check_finds_cycles() {
    // `crate::` paths, a re-export inside a module, a nested group with `self`, a path in
    // an expression; comments, strings and tests make no edge.
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n"),
        ("a.rs", "use crate::b::X;\n"),
        ("b/mod.rs", "mod inner;\npub use self::inner::X;\n"),
        ("b/inner.rs", "use crate::{c::{Y, self}};\npub struct X;\n"),
        (
            "c.rs",
            "// use crate::b;\npub fn f() { crate::a::g() }\nconst S: &str = \"crate::d::x\";\n",
        ),
        ("d/mod.rs", "mod p;\nmod q;\n#[cfg(test)]\nmod tests;\n"),
        ("d/p.rs", "use super::q::Q;\n"),
        ("d/q.rs", "use super::{p::P, r};\n#[cfg(test)]\nmod tests {\n    use super::p;\n}\n"),
        ("d/tests.rs", "use crate::a::g;\n"),
    ]);
    assert_eq!(cycles, ["crate: a -> b -> c -> a", "d: p -> q -> p"]);
    assert_eq!(
        cycles_in(&[
            ("lib.rs", "pub mod a;\npub mod b;\n"),
            ("a.rs", "/* crate::b::X */ fn f() { let _ = \"super::b\"; let _ = '\"'; }\n"),
            ("b.rs", "use crate::a;\n#[cfg(test)]\nfn t() { crate::a::f() }\n"),
        ]),
        [] as [&str; 0]
    );
}

#[test]
fn the_cycle_check_follows_re_exports_and_every_path_form() {
    // The engine's cycle of old: `sessions` named `super::Event`, which the root
    // re-exported from `api`; `api` named `super::super::submit` from a child.
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod engine;\n"),
        ("engine/mod.rs", "mod api;\npub mod sessions;\npub mod submit;\npub use api::Event;\n"),
        ("engine/api.rs", "mod logs;\npub enum Event {}\n"),
        ("engine/api/logs.rs", "use super::super::submit::plan::log_files;\n"),
        ("engine/submit/mod.rs", "pub mod plan;\n"),
        ("engine/submit/plan.rs", "pub fn log_files() { super::super::sessions::check() }\n"),
        ("engine/sessions.rs", "pub fn check() {}\nfn f(e: super::Event) {}\n"),
    ]);
    assert_eq!(cycles, ["engine: api -> submit -> sessions -> api"]);
    // Through a glob re-export, an alias and a chain of re-exports; `self::` in a file
    // that is not a mod.rs; an inline module's `super::`.
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub use c::Z as Zed;\n"),
        ("a.rs", "mod inner { use super::super::Zed; }\n"),
        ("b.rs", "pub use self::deep::*;\nmod deep;\n"),
        ("b/deep.rs", "pub struct Y;\n"),
        ("c.rs", "pub use crate::b::Y as Why;\npub struct Z;\npub fn g(_: Why) {}\n"),
        ("d.rs", "use crate::c::Why;\n"),
    ]);
    assert_eq!(cycles, [] as [&str; 0], "c -> b only, a -> c only: no cycle");
    let cycles = cycles_in(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub use c::Z as Zed;\n"),
        ("a.rs", "mod inner { use super::super::Zed; }\n"),
        ("b.rs", "pub use self::deep::*;\nmod deep;\n"),
        ("b/deep.rs", "pub struct Y;\nfn h() { crate::a::k() }\n"),
        ("c.rs", "pub use crate::b::Y as Why;\npub struct Z;\n"),
    ]);
    assert_eq!(cycles, ["crate: a -> c -> b -> a"]);
}
