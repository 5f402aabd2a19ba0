//! The client's `protocol.ts`, generated from the declarations in `ext` with ts-rs,
//! and the test that keeps the committed file equal to it.

use std::fmt::Write as _;

use super::*;

/// A command as the TypeScript generator sees it.
pub struct CommandSpec {
    pub name: &'static str,
    pub helper: &'static str,
    pub doc: &'static str,
    pub params: String,
    pub result: String,
}

pub fn ts_config() -> ts_rs::Config {
    // Every integer here (ids, counts, unix seconds) fits a JavaScript number.
    ts_rs::Config::new().with_large_int("number")
}

fn jsdoc(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("/** {one} */\n"),
        more => {
            let mut s = String::from("/**\n");
            for l in more {
                let _ = writeln!(s, " * {l}");
            }
            s + " */\n"
        }
    }
}

fn declare<T: TS>(out: &mut String) {
    let cfg = ts_config();
    out.push('\n');
    if let Some(docs) = T::docs() {
        out.push_str(&docs);
        if !docs.ends_with('\n') {
            out.push('\n');
        }
    }
    let _ = writeln!(out, "export {}", one_field_a_line(&T::decl(&cfg)));
}

/// `type X = { a: A, /** doc */ b: B, };` with each field (and its doc) on a line
/// of its own. ts-rs writes an object type on one line.
fn one_field_a_line(decl: &str) -> String {
    let (Some(open), true) = (decl.find("= { "), decl.ends_with(" };")) else {
        return decl.to_string();
    };
    let body = &decl[open + 4..decl.len() - 3];
    let mut fields = Vec::new();
    let (mut depth, mut field, mut in_comment, mut in_string) = (0i32, String::new(), false, false);
    let chars: Vec<char> = body.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        field.push(c);
        if in_comment {
            in_comment = !(c == '/' && i > 0 && chars[i - 1] == '*');
        } else if in_string {
            in_string = c != '"';
        } else {
            match c {
                '/' if chars.get(i + 1) == Some(&'*') => in_comment = true,
                '"' => in_string = true,
                '{' | '<' | '(' | '[' => depth += 1,
                '}' | '>' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => fields.push(std::mem::take(&mut field)),
                _ => {}
            }
        }
    }
    if !field.trim().is_empty() {
        fields.push(field);
    }
    let mut out = format!("{}{{\n", &decl[..open + 2]);
    for f in fields {
        for line in f.trim().lines() {
            let line = line.trim_end();
            let line = if line.starts_with('*') { format!(" {line}") } else { line.to_string() };
            let _ = writeln!(out, "  {line}");
        }
    }
    out.push_str("};");
    out
}

fn notification<N: Notification>(out: &mut String, helper: &str, doc: &str)
where
    N::Params: TS,
{
    let params = <N::Params as TS>::name(&ts_config());
    let _ = write!(
        out,
        "\n{}export const {helper}: NotificationSpec<{params}> = {{ method: '{}' }};\n",
        jsdoc(doc),
        N::METHOD
    );
}

/// The whole of `editor-client/src/protocol.ts`.
pub fn typescript() -> String {
    let mut out = String::from(
        "// GENERATED from server/src/lsp/ext by the test `typescript_is_generated`\n\
         // (ts-rs). Do not edit: change ext/mod.rs and run\n\
         // `UPDATE_EXPECT=1 cargo test -p clusterls --lib lsp::ext`.\n",
    );
    declare::<JobState>(&mut out);
    declare::<Job>(&mut out);
    declare::<JobTask>(&mut out);
    declare::<TaskCount>(&mut out);
    declare::<NoParams>(&mut out);
    declare::<Resources>(&mut out);
    declare::<RunParams>(&mut out);
    declare::<PullParams>(&mut out);
    declare::<Pulled>(&mut out);
    declare::<AllocParams>(&mut out);
    declare::<RunInAllocParams>(&mut out);
    declare::<CancelParams>(&mut out);
    declare::<LogsParams>(&mut out);
    declare::<Logs>(&mut out);
    declare::<ScriptParams>(&mut out);
    declare::<Script>(&mut out);
    declare::<SessionTerminalParams>(&mut out);
    declare::<TerminalCommand>(&mut out);
    declare::<JupyterParams>(&mut out);
    declare::<Served>(&mut out);
    declare::<BuildParams>(&mut out);
    declare::<Built>(&mut out);
    {
        use clusterls_core::facts::*;
        declare::<ClusterFacts>(&mut out);
        declare::<License>(&mut out);
        declare::<Reservation>(&mut out);
        declare::<QosLimits>(&mut out);
        declare::<NodeKind>(&mut out);
        declare::<Partition>(&mut out);
        declare::<PartitionState>(&mut out);
        declare::<GpuGres>(&mut out);
        declare::<Association>(&mut out);
        declare::<ContainerRuntime>(&mut out);
        declare::<RuntimeKind>(&mut out);
        declare::<Image>(&mut out);
        declare::<RemoteDir>(&mut out);
    }
    declare::<Facts>(&mut out);
    declare::<LoginCommand>(&mut out);
    declare::<ConnectionStateKind>(&mut out);
    declare::<ConnectionStateParams>(&mut out);
    declare::<ControllerStateParams>(&mut out);
    declare::<JobStateParams>(&mut out);
    declare::<JobDetailParams>(&mut out);
    declare::<JobDetail>(&mut out);
    declare::<ExtendParams>(&mut out);
    declare::<RemoteSshHostParams>(&mut out);
    declare::<RemoteSshHost>(&mut out);
    declare::<JobStartedParams>(&mut out);

    let finished: Vec<String> = JobState::ALL
        .iter()
        .filter(|s| s.is_ended())
        .map(|s| serde_json::to_string(s).unwrap().replace('"', "'"))
        .collect();
    let _ = write!(
        out,
        "\n/** The states a job does not leave. */\n\
         export const FINISHED_STATES: readonly JobState[] = [{}];\n\
         \n\
         export function isFinished(state: JobState): boolean {{\n  return FINISHED_STATES.includes(state);\n}}\n",
        finished.join(", ")
    );

    let _ = write!(
        out,
        "\n/** JSON-RPC error codes of clusterls' own errors. */\n\
         export const ErrorCodes = {{\n  \
         /** The host needs an interactive login first; the error's `data` is a `LoginCommand`. */\n  \
         loginRequired: {},\n  \
         /** No cluster is configured: the client offers to pick one. */\n  \
         noCluster: {},\n  \
         /** The request was understood but failed; the message says what to do. */\n  \
         requestFailed: {},\n\
         }} as const;\n\
         \n\
         /** The login command carried by a `loginRequired` error, if `e` is one. */\n\
         export function loginRequired(e: unknown): LoginCommand | undefined {{\n  \
         if (typeof e !== 'object' || e === null) {{\n    return undefined;\n  }}\n  \
         const {{ code, data }} = e as {{ code?: unknown; data?: unknown }};\n  \
         return code === ErrorCodes.loginRequired ? (data as LoginCommand | undefined) : undefined;\n\
         }}\n\
         \n\
         /** Whether `e` is the error of a request made while no cluster is configured. */\n\
         export function noCluster(e: unknown): boolean {{\n  \
         return typeof e === 'object' && e !== null && (e as {{ code?: unknown }}).code === ErrorCodes.noCluster;\n\
         }}\n",
        error_code::LOGIN_REQUIRED,
        error_code::NO_CLUSTER,
        error_code::REQUEST_FAILED,
    );

    out.push_str(
        "\n/** A server-to-client notification: its method, typed by its params. */\n\
         export interface NotificationSpec<P> {\n  method: string;\n  /** Never set: carries the params type. */\n  params?: P;\n}\n",
    );
    notification::<JobStateNotification>(
        &mut out,
        "jobState",
        "Server to client: a job changed state (including its first appearance).",
    );
    notification::<ConnectionStateNotification>(
        &mut out,
        "connectionState",
        "Server to client: the connection to the cluster changed state.",
    );
    notification::<ControllerStateNotification>(
        &mut out,
        "controllerState",
        "Server to client: Slurm's controller stopped or started answering.",
    );
    notification::<JobStartedNotification>(
        &mut out,
        "jobStarted",
        "Server to client: a job the tracker saw waiting now runs (with its node).",
    );

    out.push_str(
        "\n/** Sends `workspace/executeCommand` with these arguments and returns its result. */\n\
         export type Send = (command: string, args: unknown[]) => Promise<unknown>;\n",
    );
    let specs = command::specs();
    let names: Vec<String> = specs.iter().map(|c| format!("'{}'", c.name)).collect();
    let _ = write!(
        out,
        "\n/** Every command the server implements. */\nexport const COMMANDS = [\n  {},\n] as const;\n",
        names.join(",\n  ")
    );
    for c in &specs {
        let (param, arg) = if c.params == "NoParams" {
            (String::new(), "[]")
        } else {
            (format!(", params: {}", c.params), "[params]")
        };
        let _ = write!(
            out,
            "\n{}export function {}(send: Send{param}): Promise<{}> {{\n  return send('{}', {arg}) as Promise<{}>;\n}}\n",
            jsdoc(c.doc),
            c.helper,
            c.result,
            c.name,
            c.result,
        );
    }
    out
}

/// The client's protocol types are this file's declarations: regenerate and compare.
#[test]
fn typescript_is_generated() {
    expect_test::expect_file!["../../../../editor-client/src/protocol.ts"].assert_eq(&typescript());
}

#[test]
fn commands_are_listed_once() {
    let specs = command::specs();
    assert_eq!(specs.len(), command::ALL.len());
    let mut names: Vec<&str> = command::ALL.to_vec();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), command::ALL.len(), "a command name is declared twice");
}
