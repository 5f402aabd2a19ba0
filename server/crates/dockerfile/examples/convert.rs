//! Convert a Dockerfile: `cargo run -p clusterls-dockerfile --example convert FILE [K=V...]`.
fn main() {
    let mut a = std::env::args().skip(1);
    let path = a.next().expect("a Dockerfile path");
    let args: Vec<(String, String)> =
        a.filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into()))).collect();
    let text = std::fs::read_to_string(path).expect("readable file");
    let c = clusterls_dockerfile::convert::convert(&text, &args);
    print!("{}", c.definition);
    for f in c.findings {
        let line = text[..f.range.start].matches('\n').count() + 1;
        eprintln!("{line}: {} {}", f.code, f.message);
    }
}
