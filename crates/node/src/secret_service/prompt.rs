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

use std::time::{Duration, Instant};

use super::Error;
use super::connection::{Connection, outcome};
use super::service::SECRETS;
use super::wire::{SIGNAL, Value};

const PROMPT: &str = "org.freedesktop.Secret.Prompt";

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
}

fn malformed(member: &str) -> Error {
    Error::Unavailable(format!(
        "the session bus or the Secret Service sent a malformed {member}"
    ))
}

/// Shows the prompt at `path` and waits for its `Completed`; returns its result. The
/// calls (`GetNameOwner`, `AddMatch`, `Prompt`, `Dismiss`) run against the connection's
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
        Ok((false, result)) => Ok(result),
        Ok((true, _)) => Err(Error::Unavailable(format!(
            "{} was dismissed or could not be shown",
            purpose.prompt()
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

/// Reads messages until this prompt's `Completed` (dismissed, result), or an error reply
/// to `Prompt`; everything else is skipped.
fn wait(
    conn: &mut Connection,
    path: &str,
    owner: &str,
    serial: u32,
) -> Result<(bool, Value), Error> {
    loop {
        let message = conn.receive()?;
        if message.reply_serial == Some(serial) {
            // `Prompt` returns once the prompt is showing; the answer comes as the signal.
            if let Some(Err(e)) = outcome(message) {
                return Err(e);
            }
            continue;
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
                Ok((*dismissed, result.as_ref().clone()))
            }
            _ => Err(malformed("Completed signal")),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret_service::connection::fake::{SERVICE_NAME, reply, serve, signal};

    const PATH: &str = "/org/freedesktop/secrets/prompt/u1";

    #[test]
    fn the_wait_for_the_person_does_not_use_the_request_deadline() {
        // Completed 200 ms after Prompt: the request deadline moves on by the wait, and
        // the person's time is what is left.
        let (mut conn, server) = serve(Duration::from_secs(10), |m| {
            let member = m.member.as_deref().unwrap_or("");
            match member {
                "GetNameOwner" => vec![reply(m, vec![Value::Str(SERVICE_NAME.into())])],
                "Prompt" => {
                    std::thread::sleep(Duration::from_millis(200));
                    vec![
                        reply(m, vec![]),
                        signal(
                            SERVICE_NAME,
                            PATH,
                            PROMPT,
                            "Completed",
                            vec![Value::Bool(false), Value::Variant(Box::new(Value::U32(7)))],
                        ),
                    ]
                }
                _ => vec![reply(m, vec![])],
            }
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
        let members: Vec<_> = calls.iter().map(|m| m.member.as_deref().unwrap()).collect();
        assert_eq!(members, ["GetNameOwner", "AddMatch", "Prompt"]);
    }

    #[test]
    fn no_time_left_dismisses_at_once() {
        let (mut conn, server) = serve(Duration::from_secs(10), |m| {
            if m.member.as_deref() == Some("GetNameOwner") {
                vec![reply(m, vec![Value::Str(SERVICE_NAME.into())])]
            } else {
                vec![reply(m, vec![])]
            }
        });
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
        let members: Vec<_> = calls.iter().map(|m| m.member.as_deref().unwrap()).collect();
        assert_eq!(members, ["GetNameOwner", "AddMatch", "Prompt", "Dismiss"]);
    }
}
