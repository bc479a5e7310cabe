//! Kea's class_cmds: `class-add`, `class-get`, `class-list`,
//! `class-update` and `class-del` over the running configuration's
//! `client-classes`, with Kea's rules: a class is added at the end and may
//! only use classes defined before it, is updated in place without
//! changing whether it depends on `KNOWN`/`UNKNOWN`, and is not deleted
//! while another class's test uses it.

use serde_json::{json, Value};
use xdhcp_dataplane::classify::{Classes, Phase};

use super::section::{arguments, list_at, refuse, single, text, Args, Item, Refusal, Section};
use super::{answer, answer_with, listing_code, result};
use crate::config::{classes, Server};
use crate::reload::{self, Running};

const CLASS: Item = Item {
    one: "class",
    many: "classes",
    entry: "class definition",
};

/// Runs one `class-*` command for `section`.
pub fn run(running: &Running, section: Section, command: &str, given: Option<&Args>) -> Value {
    let outcome = match command {
        "class-list" => list(running, section, command),
        "class-get" => get(running, section, command, given),
        "class-add" => add(running, section, command, given),
        "class-update" => update(running, section, command, given),
        "class-del" => del(running, section, command, given),
        c => Err(refuse(
            result::UNSUPPORTED,
            format!("'{c}' command not supported."),
        )),
    };
    outcome.unwrap_or_else(|r| r.0)
}

/// The name argument of `class-get` and `class-del`, with Kea's texts.
fn name_argument<'a>(given: Option<&'a Args>, command: &str) -> Result<&'a str, Refusal> {
    let args = arguments(given, command)?;
    if args.len() != 1 {
        return Err(Refusal::from(format!(
            "invalid number of arguments {} for the '{command}' command. Expecting 'name' string",
            args.len()
        )));
    }
    text(
        args,
        "name",
        format!("missing 'name' argument for the '{command}' command"),
        format!("'name' argument specified for the '{command}' command is not a string"),
    )
}

/// The class map of `class-add` and `class-update`.
fn class_argument<'a>(given: Option<&'a Args>, command: &str) -> Result<&'a Args, Refusal> {
    let args = arguments(given, command)?;
    if args.len() != 1 {
        return Err(Refusal::from(format!(
            "invalid number of arguments {} for the '{command}' command. Expecting \
             'client-classes' list",
            args.len()
        )));
    }
    Ok(single(args, "client-classes", command, &CLASS)?)
}

/// The JSON list of classes of the section.
fn class_list(json: &mut Value, section: Section) -> Result<&mut Vec<Value>, Refusal> {
    list_at(section.json(json)?, "client-classes")
}

/// The position of class `name` in `list`.
fn position(list: &[Value], name: &str) -> Option<usize> {
    list.iter()
        .position(|c| c.get("name").and_then(Value::as_str) == Some(name))
}

fn list(running: &Running, section: Section, command: &str) -> Result<Value, Refusal> {
    let (_, model) = running.snapshot();
    let server = section.served(&model, command)?;
    let names: Vec<Value> = server
        .client_classes
        .iter()
        .map(|c| json!({ "name": c.name }))
        .collect();
    let n = names.len();
    let plural = if n == 1 { "" } else { "es" };
    Ok(answer_with(
        listing_code(n),
        format!("{n} class{plural} found"),
        json!({ "client-classes": names }),
    ))
}

fn get(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let name = name_argument(given, command)?;
    let (mut json, model) = running.snapshot();
    section.served(&model, command)?;
    let list = class_list(&mut json, section)?;
    let at = position(list, name)
        .ok_or_else(|| refuse(result::EMPTY, format!("Class '{name}' not found")))?;
    let mut class = list[at].as_object().cloned().unwrap_or_default();
    // What Kea shows of a class that does not set them.
    class.entry("option-data").or_insert_with(|| json!([]));
    if !section.v6 {
        class
            .entry("next-server")
            .or_insert_with(|| json!("0.0.0.0"));
        class.entry("server-hostname").or_insert_with(|| json!(""));
        class.entry("boot-file-name").or_insert_with(|| json!(""));
    }
    Ok(answer_with(
        result::SUCCESS,
        format!("Class '{name}' definition returned"),
        json!({ "client-classes": [class] }),
    ))
}

fn add(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let class = class_argument(given, command)?;
    let name = class
        .get("name")
        .and_then(Value::as_str)
        .ok_or("missing parameter 'name'")?;
    running.edit(|json, model| {
        section.served(model, command)?;
        class_list(json, section)?.push(Value::Object(class.clone()));
        Ok::<_, Refusal>(())
    })?;
    Ok(answer(result::SUCCESS, format!("Class '{name}' added")))
}

/// The classes of `server` as the engine orders them, every test
/// evaluated when it could be (so `only-if-required` does not hide what a
/// test reads).
fn table(server: &Server) -> Classes {
    let mut list = server.client_classes.clone();
    list.iter_mut().for_each(|c| c.only_if_required = false);
    classes::table(&list, &server.option_spaces, |_, _| {})
}

/// Whether class `name` reads `KNOWN` or `UNKNOWN`, directly or through
/// the classes it uses.
fn depends_on_known(server: &Server, name: &str) -> bool {
    let t = table(server);
    let class = t.index(name).and_then(|i| t.get(i));
    class.is_some_and(|c| c.phase == Phase::AfterHost)
}

fn update(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let class = class_argument(given, command)?;
    let name = class
        .get("name")
        .and_then(Value::as_str)
        .ok_or("the first class definition is missing a mandatory 'name' parameter")?;
    running.edit(|json, model| {
        let before = section.served(model, command)?;
        let list = class_list(json, section)?;
        let at = position(list, name)
            .ok_or_else(|| refuse(result::EMPTY, format!("Class '{name}' is not found")))?;
        list[at] = Value::Object(class.clone());
        let after = reload::check(json)?;
        let after = section.served(&after, command)?;
        if depends_on_known(before, name) != depends_on_known(after, name) {
            return Err(Refusal::from(format!(
                "modification of the class '{name}' would affect its dependency on the KNOWN \
                 and/or UNKNOWN built-in classes. Such modification is not allowed because \
                 there may be other classes depending on those built-ins via the updated class"
            )));
        }
        Ok(())
    })?;
    Ok(answer(result::SUCCESS, format!("Class '{name}' updated")))
}

fn del(
    running: &Running,
    section: Section,
    command: &str,
    given: Option<&Args>,
) -> Result<Value, Refusal> {
    let name = name_argument(given, command)?;
    running.edit(|json, model| {
        let server = section.served(model, command)?;
        let t = table(server);
        let list = class_list(json, section)?;
        let at = position(list, name)
            .ok_or_else(|| refuse(result::EMPTY, format!("Class '{name}' not found")))?;
        let used_by = t.index(name).and_then(|i| {
            server.client_classes.iter().find(|c| {
                let other = t.index(&c.name).and_then(|j| t.get(j));
                other
                    .and_then(|o| o.test.as_ref())
                    .is_some_and(|p| p.members().any(|m| m == i))
            })
        });
        if let Some(user) = used_by {
            return Err(Refusal::from(format!(
                "Class '{name}' is used by class '{}'",
                user.name
            )));
        }
        list.remove(at);
        Ok(())
    })?;
    Ok(answer(result::SUCCESS, format!("Class '{name}' deleted")))
}
