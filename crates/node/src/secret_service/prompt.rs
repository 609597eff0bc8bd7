//! Secret Service API, "Prompts" (`org.freedesktop.Secret.Prompt`): when `Unlock`,
//! `CreateItem` or `Delete` needs the user (a locked keychain; a service that confirms),
//! it returns a prompt object instead of a result. The client shows it with
//! `Prompt(window-id)` and learns its outcome from the prompt's `Completed(dismissed b,
//! result v)` signal; `Dismiss` withdraws it. As keyring 3.6 did: window id `""`.
//!
//! The signal is subscribed to (`AddMatch`) before `Prompt` is called, so it cannot be
//! missed; only a `Completed` of this prompt's path sent by the service's own connection
//! (its unique name, `GetNameOwner`) counts, so no other client on the bus can answer
//! for the user. The wait for the person has its own deadline; past it the prompt is
//! dismissed (best effort) and the operation fails.
//!
//! Before `Prompt`, the bus's `NameOwnerChanged(name s, old_owner s, new_owner s)` for
//! `org.freedesktop.secrets` is subscribed to as well (D-Bus Specification, "Match
//! Rules", `arg0`): if the service's connection exits or loses the name while the
//! prompt is open, no `Completed` will come, so the wait ends at once and the operation
//! fails, without a `Dismiss` (there is no one left to withdraw the prompt). Only such a
//! signal sent by the bus itself (`org.freedesktop.DBus`) whose old owner is the
//! service's connection counts; signals about other names are skipped.

use std::time::{Duration, Instant};

use super::Error;
use super::connection::{BUS_NAME, BUS_PATH, Connection, outcome};
use super::service::SECRETS;
use super::wire::{Message, SIGNAL, Value};

/// The prompt objects' interface.
pub(crate) const PROMPT: &str = "org.freedesktop.Secret.Prompt";

/// How long a person has to answer the prompts of one operation: typing a password.
pub(crate) const PROMPT_TIMEOUT: Duration = Duration::from_secs(120);

/// What a prompt is for, as its errors say it.
#[derive(Clone, Copy)]
pub(crate) enum Purpose {
    Unlock,
    Create,
    Delete,
}

impl Purpose {
    fn prompt(self) -> &'static str {
        match self {
            Self::Unlock => "the keychain is locked, and its unlock prompt",
            Self::Create => "the keychain's prompt to store the item",
            Self::Delete => "the keychain's prompt to delete the item",
        }
    }

    /// The prompt as the service's own: "the Secret Service stopped while ...".
    fn own_prompt(self) -> &'static str {
        match self {
            Self::Unlock => "its unlock prompt",
            Self::Create => "its prompt to store the item",
            Self::Delete => "its prompt to delete the item",
        }
    }
}

/// How the wait for a prompt ended, short of an error.
enum Answer {
    /// `Completed(dismissed, result)`.
    Completed(bool, Value),
    /// The service's connection left the bus, or gave up its name, meanwhile.
    Stopped,
}

fn malformed(member: &str) -> Error {
    Error::Unavailable(format!(
        "the session bus or the Secret Service sent a malformed {member}"
    ))
}

/// Shows the prompt at `path` and waits for its `Completed`; returns its result. The
/// wait ends early, in an error, when the service stops meanwhile. The calls (`GetNameOwner`, `AddMatch`, `Prompt`, `Dismiss`) run against the connection's
/// deadline; the wait for the person runs against `user_time`, which is what remains
/// of it afterwards. The connection's deadline is moved on by the time the wait took,
/// so that time is not counted against the requests.
pub(crate) fn complete(
    conn: &mut Connection,
    path: &str,
    purpose: Purpose,
    user_time: &mut Duration,
) -> Result<Value, Error> {
    let owner = match conn
        .call_bus("GetNameOwner", vec![Value::Str(SECRETS.to_owned())])?
        .as_slice()
    {
        [Value::Str(owner)] => owner.clone(),
        _ => return Err(malformed("reply to GetNameOwner")),
    };
    // An object path holds only [A-Za-z0-9_/]: nothing to escape in the rule.
    let rule = format!(
        "type='signal',sender='{SECRETS}',interface='{PROMPT}',member='Completed',path='{path}'"
    );
    conn.call_bus("AddMatch", vec![Value::Str(rule)])?;
    // The service leaving while the person is at the prompt: no Completed would come.
    let owner_rule = format!(
        "type='signal',sender='{BUS_NAME}',interface='{BUS_NAME}',\
         member='NameOwnerChanged',arg0='{SECRETS}'"
    );
    conn.call_bus("AddMatch", vec![Value::Str(owner_rule)])?;
    let serial = conn.send_call(
        SECRETS,
        path,
        PROMPT,
        "Prompt",
        vec![Value::Str(String::new())],
    )?;

    let requests = conn.deadline();
    let started = Instant::now();
    let until = started + *user_time;
    conn.set_deadline(until);
    let waited = wait(conn, path, &owner, serial);
    let took = started.elapsed();
    *user_time = user_time.saturating_sub(took);
    conn.set_deadline(requests + took);

    match waited {
        Ok(Answer::Completed(false, result)) => Ok(result),
        Ok(Answer::Completed(true, _)) => Err(Error::Unavailable(format!(
            "{} was dismissed or could not be shown",
            purpose.prompt()
        ))),
        // No Dismiss: the service, and its prompt with it, is gone.
        Ok(Answer::Stopped) => Err(Error::Unavailable(format!(
            "the Secret Service stopped while {} was open",
            purpose.own_prompt()
        ))),
        Err(_) if Instant::now() >= until => {
            // Best effort: withdraw it from the screen; its own failure changes nothing.
            let _ = conn.call(SECRETS, path, PROMPT, "Dismiss", Vec::new());
            Err(Error::Unavailable(format!(
                "{} was not answered within {} s",
                purpose.prompt(),
                PROMPT_TIMEOUT.as_secs()
            )))
        }
        Err(e) => Err(e),
    }
}

/// Reads messages until this prompt's `Completed` (dismissed, result), the bus's word
/// that `owner` no longer owns the service's name, or an error reply to `Prompt`;
/// everything else is skipped.
fn wait(conn: &mut Connection, path: &str, owner: &str, serial: u32) -> Result<Answer, Error> {
    loop {
        let message = conn.receive()?;
        if message.reply_serial == Some(serial) {
            // `Prompt` returns once the prompt is showing; the answer comes as the signal.
            if let Some(Err(e)) = outcome(message) {
                return Err(e);
            }
            continue;
        }
        if stopped(&message, owner) {
            return Ok(Answer::Stopped);
        }
        let ours = message.kind == SIGNAL
            && message.sender.as_deref() == Some(owner)
            && message.path.as_deref() == Some(path)
            && message.interface.as_deref() == Some(PROMPT)
            && message.member.as_deref() == Some("Completed");
        if !ours {
            continue;
        }
        return match message.body.as_slice() {
            [Value::Bool(dismissed), Value::Variant(result)] => {
                Ok(Answer::Completed(*dismissed, result.as_ref().clone()))
            }
            _ => Err(malformed("Completed signal")),
        };
    }
}

/// Whether `message` is the bus's `NameOwnerChanged` saying that `owner` no longer owns
/// the service's name (it left the bus, or the name went to another connection). Only
/// the bus can send as `org.freedesktop.DBus`; one about another name, of another old
/// owner, or with another body is not this.
fn stopped(message: &Message, owner: &str) -> bool {
    message.kind == SIGNAL
        && message.sender.as_deref() == Some(BUS_NAME)
        && message.path.as_deref() == Some(BUS_PATH)
        && message.interface.as_deref() == Some(BUS_NAME)
        && message.member.as_deref() == Some("NameOwnerChanged")
        && matches!(
            message.body.as_slice(),
            [Value::Str(name), Value::Str(old), Value::Str(_)] if name == SECRETS && old == owner
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret_service::connection::fake::{
        SERVICE_NAME, completed, name_owner_changed, reply, serve,
    };
    use std::thread::JoinHandle;

    const PATH: &str = "/org/freedesktop/secrets/prompt/u1";

    /// The prompt at `PATH` completed, not dismissed, with `result`.
    fn confirmed(result: Value) -> Message {
        completed(SERVICE_NAME, PATH, false, result)
    }

    /// A fake service (deadline 10 s) that names itself to `GetNameOwner`, answers
    /// `Prompt` with what `on_prompt` returns, and everything else with an empty reply.
    fn service(
        on_prompt: impl Fn(&Message) -> Vec<Message> + Send + 'static,
    ) -> (Connection, JoinHandle<Vec<Message>>) {
        serve(Duration::from_secs(10), move |m| {
            match m.member.as_deref().unwrap_or("") {
                "GetNameOwner" => vec![reply(m, vec![Value::Str(SERVICE_NAME.into())])],
                "Prompt" => on_prompt(m),
                _ => vec![reply(m, vec![])],
            }
        })
    }

    fn members(calls: &[Message]) -> Vec<&str> {
        calls.iter().map(|m| m.member.as_deref().unwrap()).collect()
    }

    #[test]
    fn the_wait_for_the_person_does_not_use_the_request_deadline() {
        // Completed 200 ms after Prompt: the request deadline moves on by the wait, and
        // the person's time is what is left.
        let (mut conn, server) = service(|m| {
            std::thread::sleep(Duration::from_millis(200));
            vec![reply(m, vec![]), confirmed(Value::U32(7))]
        });
        let before = conn.deadline();
        let mut user_time = Duration::from_secs(60);
        let result = complete(&mut conn, PATH, Purpose::Unlock, &mut user_time).unwrap();
        assert_eq!(result, Value::U32(7));
        assert!(user_time < Duration::from_secs(60), "{user_time:?}");
        let used = Duration::from_secs(60) - user_time;
        assert!(used >= Duration::from_millis(200), "{used:?}");
        assert_eq!(conn.deadline(), before + used);
        drop(conn);
        let calls = server.join().unwrap();
        assert_eq!(
            members(&calls),
            ["GetNameOwner", "AddMatch", "AddMatch", "Prompt"]
        );
    }

    #[test]
    fn the_match_rules_are_added_before_prompt() {
        let (mut conn, server) = service(|m| vec![reply(m, vec![]), confirmed(Value::U32(1))]);
        let mut user_time = Duration::from_secs(5);
        let result = complete(&mut conn, PATH, Purpose::Unlock, &mut user_time).unwrap();
        assert_eq!(result, Value::U32(1));
        drop(conn);
        let calls = server.join().unwrap();
        assert_eq!(
            members(&calls),
            ["GetNameOwner", "AddMatch", "AddMatch", "Prompt"]
        );
        assert_eq!(
            calls[0].body,
            [Value::Str("org.freedesktop.secrets".into())]
        );
        let rules: Vec<_> = calls[1..3]
            .iter()
            .map(|m| {
                assert_eq!(m.destination.as_deref(), Some("org.freedesktop.DBus"));
                assert_eq!(m.path.as_deref(), Some("/org/freedesktop/DBus"));
                assert_eq!(m.interface.as_deref(), Some("org.freedesktop.DBus"));
                m.body.clone()
            })
            .collect();
        assert_eq!(
            rules,
            [
                vec![Value::Str(
                    "type='signal',sender='org.freedesktop.secrets',\
                     interface='org.freedesktop.Secret.Prompt',member='Completed',\
                     path='/org/freedesktop/secrets/prompt/u1'"
                        .into()
                )],
                vec![Value::Str(
                    "type='signal',sender='org.freedesktop.DBus',\
                     interface='org.freedesktop.DBus',member='NameOwnerChanged',\
                     arg0='org.freedesktop.secrets'"
                        .into()
                )],
            ]
        );
    }

    #[test]
    fn the_service_stopping_ends_the_wait_at_once() {
        // The service's connection leaves the bus (new owner ""), or the name passes to
        // another connection, while the prompt is open: no Completed will come. The
        // person has 5 s; the message shows the wait did not end at that deadline.
        for (purpose, new_owner, expect) in [
            (
                Purpose::Unlock,
                "",
                "the Secret Service stopped while its unlock prompt was open",
            ),
            (
                Purpose::Create,
                ":1.8",
                "the Secret Service stopped while its prompt to store the item was open",
            ),
            (
                Purpose::Delete,
                "",
                "the Secret Service stopped while its prompt to delete the item was open",
            ),
        ] {
            let (mut conn, server) = service(move |m| {
                vec![
                    reply(m, vec![]),
                    name_owner_changed(
                        "org.freedesktop.DBus",
                        "org.freedesktop.secrets",
                        SERVICE_NAME,
                        new_owner,
                    ),
                ]
            });
            let before = conn.deadline();
            let mut user_time = Duration::from_secs(5);
            match complete(&mut conn, PATH, purpose, &mut user_time) {
                Err(Error::Unavailable(m)) => assert_eq!(m, expect),
                other => panic!("{other:?}"),
            }
            // The time taken is accounted as for any other end of the wait.
            let used = Duration::from_secs(5) - user_time;
            assert_eq!(conn.deadline(), before + used);
            drop(conn);
            let calls = server.join().unwrap();
            // No Dismiss: nothing is left to withdraw the prompt.
            assert_eq!(
                members(&calls),
                ["GetNameOwner", "AddMatch", "AddMatch", "Prompt"]
            );
        }
    }

    #[test]
    fn other_name_owner_changes_are_ignored() {
        // Before the Completed: NameOwnerChanged about another name, about the service's
        // name from a connection that is not the bus, about the name with another old
        // owner, and one with a body of another type. None ends the wait.
        let (mut conn, server) = service(|m| {
            let mut odd = name_owner_changed(
                "org.freedesktop.DBus",
                "org.freedesktop.secrets",
                SERVICE_NAME,
                "",
            );
            odd.body = vec![Value::Str("org.freedesktop.secrets".into())];
            vec![
                name_owner_changed(
                    "org.freedesktop.DBus",
                    "org.example.Other",
                    SERVICE_NAME,
                    "",
                ),
                name_owner_changed(":1.99", "org.freedesktop.secrets", SERVICE_NAME, ""),
                name_owner_changed(
                    "org.freedesktop.DBus",
                    "org.freedesktop.secrets",
                    ":1.5",
                    "",
                ),
                odd,
                reply(m, vec![]),
                confirmed(Value::U32(3)),
            ]
        });
        let mut user_time = Duration::from_secs(5);
        let result = complete(&mut conn, PATH, Purpose::Unlock, &mut user_time).unwrap();
        assert_eq!(result, Value::U32(3));
        drop(conn);
        let calls = server.join().unwrap();
        assert_eq!(
            members(&calls),
            ["GetNameOwner", "AddMatch", "AddMatch", "Prompt"]
        );
    }

    #[test]
    fn no_time_left_dismisses_at_once() {
        let (mut conn, server) = service(|m| vec![reply(m, vec![])]);
        let mut user_time = Duration::ZERO;
        match complete(&mut conn, PATH, Purpose::Create, &mut user_time) {
            Err(Error::Unavailable(m)) => {
                assert_eq!(
                    m,
                    "the keychain's prompt to store the item was not answered within 120 s"
                );
            }
            other => panic!("{other:?}"),
        }
        drop(conn);
        let calls = server.join().unwrap();
        assert_eq!(
            members(&calls),
            ["GetNameOwner", "AddMatch", "AddMatch", "Prompt", "Dismiss"]
        );
    }
}
