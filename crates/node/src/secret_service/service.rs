//! The Secret Service API (freedesktop.org, version 0.2: `org.freedesktop.Secret.Service`
//! `OpenSession`, `SearchItems`, `Unlock`, `ReadAlias`; `.Collection` `SearchItems`,
//! `CreateItem`; `.Item` `GetSecret`, `SetSecret`, `Delete`; "Prompts"), used the way
//! keyring 3.6's secret-service backend uses it, so entries written by earlier versions
//! of this addon (which used that crate) are found and updated in place, and the items
//! written here are what keyring, libsecret and `secret-tool` expect:
//!
//! - attributes `service`, `username`, `target` = `default`, `application` =
//!   `rust-keyring`; label `{user}@{service}:default (keyring v3.6.3)`; content type
//!   `text/plain`;
//! - found by a service-wide search on `target`, `service` and `username`; when that
//!   finds nothing, by a search of the default collection on `service` and `username`,
//!   keeping the items without a `target` (those of keyring 1 and third-party tools; the
//!   crate's documentation says so, its code keeps an item of another target there too);
//! - one match is read or updated (`SetSecret`: its label and attributes stay), none is
//!   created in the collection aliased `default` (with `replace`), several are refused as
//!   ambiguous; removing deletes every match.
//!
//! A locked keychain is unlocked with `Unlock`; when that (or `CreateItem`, `Delete`)
//! needs the user, its prompt is shown and awaited ([`super::prompt`]), as keyring did.
//! After an unlock prompt the entry is searched again: the person may have taken a
//! while, and a locked item may not have shown all it holds.

use std::time::Duration;

use super::Error;
use super::connection::Connection;
use super::crypto;
use super::prompt::{self, PROMPT_TIMEOUT, Purpose};
use super::wire::Value;

/// The Secret Service's bus name.
pub(crate) const SECRETS: &str = "org.freedesktop.secrets";
const SERVICE_PATH: &str = "/org/freedesktop/secrets";
const SERVICE: &str = "org.freedesktop.Secret.Service";
const COLLECTION: &str = "org.freedesktop.Secret.Collection";
const ITEM: &str = "org.freedesktop.Secret.Item";
/// The Secret Service API's "no object" / "no prompt" path.
const NONE: &str = "/";
const CONTENT_TYPE: &str = "text/plain";
/// The keyring crate version whose items these are (its label names it).
const KEYRING_VERSION: &str = "3.6.3";
/// One bound for the requests of a whole operation: connect, authenticate, open a
/// session, the calls (not the time a person takes at a prompt: [`PROMPT_TIMEOUT`]). As
/// long as D-Bus's default method call timeout, which also covers activating the
/// service.
const TIMEOUT: Duration = Duration::from_secs(25);

fn malformed(member: &str) -> Error {
    Error::Unavailable(format!(
        "the Secret Service sent a malformed reply to {member}"
    ))
}

/// An item found for an entry; `maybe_locked` items are unlocked before use.
struct Found {
    path: String,
    maybe_locked: bool,
}

fn paths(values: &[Value], maybe_locked: bool, member: &str) -> Result<Vec<Found>, Error> {
    values
        .iter()
        .map(|v| match v {
            Value::Path(p) => Ok(Found {
                path: p.clone(),
                maybe_locked,
            }),
            _ => Err(malformed(member)),
        })
        .collect()
}

/// A connection to the service for one operation, and its session (Secret Service API,
/// "Sessions") once a secret has to move.
struct Session {
    conn: Connection,
    transfer: Option<Transfer>,
    /// What remains of the time a person has at this operation's prompts.
    user_time: Duration,
}

/// An open session.
struct Transfer {
    path: String,
    /// The AES key of a `dh-ietf1024-sha256-aes128-cbc-pkcs7` session; `None` for
    /// `plain`.
    key: Option<[u8; 16]>,
}

impl Session {
    /// Connects to the session bus for one operation.
    fn connect() -> Result<Self, Error> {
        Ok(Self::on(Connection::session(TIMEOUT)?, PROMPT_TIMEOUT))
    }

    fn on(conn: Connection, user_time: Duration) -> Self {
        Self {
            conn,
            transfer: None,
            user_time,
        }
    }

    /// The session, opened on first use: the DH algorithm, or `plain` where the service
    /// does not support it (as libsecret falls back).
    fn transfer(&mut self) -> Result<&Transfer, Error> {
        if self.transfer.is_none() {
            let opened = self.open_transfer()?;
            self.transfer = Some(opened);
        }
        self.transfer
            .as_ref()
            .ok_or_else(|| malformed("OpenSession"))
    }

    fn open_transfer(&mut self) -> Result<Transfer, Error> {
        let conn = &mut self.conn;
        let pair = crypto::KeyPair::generate().map_err(Error::Unavailable)?;
        let offer = vec![
            Value::Str(crypto::ALGORITHM.to_owned()),
            Value::Variant(Box::new(Value::Bytes(pair.public.clone()))),
        ];
        match conn.call(SECRETS, SERVICE_PATH, SERVICE, "OpenSession", offer) {
            Ok(body) => {
                let [Value::Variant(output), Value::Path(path)] = body.as_slice() else {
                    return Err(malformed("OpenSession"));
                };
                let Value::Bytes(peer) = output.as_ref() else {
                    return Err(malformed("OpenSession"));
                };
                let key = pair.shared_key(peer).ok_or_else(|| {
                    Error::Unavailable(
                        "the Secret Service sent an invalid Diffie-Hellman public value".to_owned(),
                    )
                })?;
                Ok(Transfer {
                    path: path.clone(),
                    key: Some(key),
                })
            }
            Err(Error::Reply(name, _)) if name == "org.freedesktop.DBus.Error.NotSupported" => {
                let plain = vec![
                    Value::Str("plain".to_owned()),
                    Value::Variant(Box::new(Value::Str(String::new()))),
                ];
                let body = conn.call(SECRETS, SERVICE_PATH, SERVICE, "OpenSession", plain)?;
                let [_, Value::Path(path)] = body.as_slice() else {
                    return Err(malformed("OpenSession"));
                };
                Ok(Transfer {
                    path: path.clone(),
                    key: None,
                })
            }
            Err(e) => Err(e),
        }
    }

    fn call(
        &mut self,
        path: &str,
        interface: &str,
        member: &str,
        body: Vec<Value>,
    ) -> Result<Vec<Value>, Error> {
        self.conn.call(SECRETS, path, interface, member, body)
    }

    /// A `Secret` struct `(oayays)` for this session.
    fn secret(&mut self, plain: &[u8]) -> Result<Value, Error> {
        let transfer = self.transfer()?;
        let (parameters, value) = match &transfer.key {
            Some(key) => crypto::encrypt(key, plain).map_err(Error::Unavailable)?,
            None => (Vec::new(), plain.to_vec()),
        };
        Ok(Value::Struct(vec![
            Value::Path(transfer.path.clone()),
            Value::Bytes(parameters),
            Value::Bytes(value),
            Value::Str(CONTENT_TYPE.to_owned()),
        ]))
    }

    /// The plaintext of a `Secret` struct.
    fn open_secret(transfer: &Transfer, secret: &Value) -> Result<Vec<u8>, Error> {
        let Value::Struct(fields) = secret else {
            return Err(malformed("GetSecret"));
        };
        let [
            Value::Path(_),
            Value::Bytes(parameters),
            Value::Bytes(value),
            Value::Str(_),
        ] = fields.as_slice()
        else {
            return Err(malformed("GetSecret"));
        };
        match &transfer.key {
            Some(key) => crypto::decrypt(key, parameters, value).ok_or_else(|| {
                Error::Unavailable("a secret from the Secret Service did not decrypt".to_owned())
            }),
            None => Ok(value.clone()),
        }
    }

    /// The collection aliased `default`, if there is one.
    fn default_collection(&mut self) -> Result<Option<String>, Error> {
        let body = self.call(
            SERVICE_PATH,
            SERVICE,
            "ReadAlias",
            vec![Value::Str("default".to_owned())],
        )?;
        match body.as_slice() {
            [Value::Path(p)] if p == NONE => Ok(None),
            [Value::Path(p)] => Ok(Some(p.clone())),
            _ => Err(malformed("ReadAlias")),
        }
    }

    /// The items of an entry, as keyring 3.6 finds them.
    fn find(&mut self, service: &str, account: &str) -> Result<Vec<Found>, Error> {
        let query = Value::string_dict(&[
            ("target", "default"),
            ("service", service),
            ("username", account),
        ]);
        let body = self.call(SERVICE_PATH, SERVICE, "SearchItems", vec![query])?;
        let [Value::Array(_, unlocked), Value::Array(_, locked)] = body.as_slice() else {
            return Err(malformed("SearchItems"));
        };
        let mut found = paths(unlocked, false, "SearchItems")?;
        found.extend(paths(locked, true, "SearchItems")?);
        if !found.is_empty() {
            return Ok(found);
        }
        let Some(collection) = self.default_collection()? else {
            return Ok(found);
        };
        let query = Value::string_dict(&[("service", service), ("username", account)]);
        let body = self.call(&collection, COLLECTION, "SearchItems", vec![query])?;
        let [Value::Array(_, items)] = body.as_slice() else {
            return Err(malformed("SearchItems"));
        };
        let mut legacy = Vec::new();
        for item in paths(items, true, "SearchItems")? {
            if !self.has_target(&item.path)? {
                legacy.push(item);
            }
        }
        Ok(legacy)
    }

    /// Whether an item has a `target` attribute (`org.freedesktop.DBus.Properties.Get`
    /// of the item's `Attributes`).
    fn has_target(&mut self, item: &str) -> Result<bool, Error> {
        let body = self.call(
            item,
            "org.freedesktop.DBus.Properties",
            "Get",
            vec![
                Value::Str(ITEM.to_owned()),
                Value::Str("Attributes".to_owned()),
            ],
        )?;
        let [Value::Variant(v)] = body.as_slice() else {
            return Err(malformed("Get"));
        };
        let Value::Array(_, entries) = v.as_ref() else {
            return Err(malformed("Get"));
        };
        Ok(entries
            .iter()
            .any(|e| matches!(e, Value::Entry(k, _) if k.as_str() == Some("target"))))
    }

    /// Shows a prompt the service returned and waits for its result.
    fn prompt(&mut self, path: &str, purpose: Purpose) -> Result<Value, Error> {
        prompt::complete(&mut self.conn, path, purpose, &mut self.user_time)
    }

    /// Unlocks objects (items, collections), through a prompt when the service needs
    /// one; returns whether it did.
    fn unlock(&mut self, objects: Vec<String>) -> Result<bool, Error> {
        if objects.is_empty() {
            return Ok(false);
        }
        let objects = Value::Array(
            "o".to_owned(),
            objects.into_iter().map(Value::Path).collect(),
        );
        let body = self.call(SERVICE_PATH, SERVICE, "Unlock", vec![objects])?;
        match body.as_slice() {
            [Value::Array(..), Value::Path(prompt)] if prompt == NONE => Ok(false),
            [Value::Array(..), Value::Path(prompt)] => {
                self.prompt(prompt, Purpose::Unlock)?;
                Ok(true)
            }
            _ => Err(malformed("Unlock")),
        }
    }

    /// Unlocks the items that may be locked; returns whether that took a prompt.
    fn unlock_items(&mut self, items: &[Found]) -> Result<bool, Error> {
        self.unlock(
            items
                .iter()
                .filter(|i| i.maybe_locked)
                .map(|i| i.path.clone())
                .collect(),
        )
    }

    /// The entry's items, unlocked; several are refused unless `several` allows them.
    /// After an unlock prompt the search runs again (once) on the unlocked keychain.
    fn find_unlocked(
        &mut self,
        service: &str,
        account: &str,
        several: bool,
    ) -> Result<Vec<Found>, Error> {
        let mut again = true;
        loop {
            let found = self.find(service, account)?;
            if found.len() > 1 && !several {
                return Err(ambiguous(found.len(), service, account));
            }
            if !self.unlock_items(&found)? || !again {
                return Ok(found);
            }
            again = false;
        }
    }

    fn get_secret(&mut self, item: &str) -> Result<Vec<u8>, Error> {
        let session = Value::Path(self.transfer()?.path.clone());
        let body = self.call(item, ITEM, "GetSecret", vec![session])?;
        let [secret] = body.as_slice() else {
            return Err(malformed("GetSecret"));
        };
        Self::open_secret(self.transfer()?, secret)
    }

    fn set_secret(&mut self, item: &str, plain: &[u8]) -> Result<(), Error> {
        let secret = self.secret(plain)?;
        self.call(item, ITEM, "SetSecret", vec![secret])?;
        Ok(())
    }

    fn create(
        &mut self,
        collection: &str,
        service: &str,
        account: &str,
        plain: &[u8],
    ) -> Result<(), Error> {
        let label = format!("{account}@{service}:default (keyring v{KEYRING_VERSION})");
        let attributes = Value::string_dict(&[
            ("service", service),
            ("username", account),
            ("target", "default"),
            ("application", "rust-keyring"),
        ]);
        let property = |name: &str, value: Value| {
            Value::Entry(
                Box::new(Value::Str(format!("org.freedesktop.Secret.Item.{name}"))),
                Box::new(Value::Variant(Box::new(value))),
            )
        };
        let properties = Value::Array(
            "{sv}".to_owned(),
            vec![
                property("Label", Value::Str(label)),
                property("Attributes", attributes),
            ],
        );
        let secret = self.secret(plain)?;
        let body = self.call(
            collection,
            COLLECTION,
            "CreateItem",
            vec![properties, secret, Value::Bool(true)],
        )?;
        match body.as_slice() {
            [Value::Path(item), Value::Path(_)] if item != NONE => Ok(()),
            [Value::Path(_), Value::Path(prompt)] if prompt != NONE => {
                // The prompt's result is the created item.
                match self.prompt(prompt, Purpose::Create)? {
                    Value::Path(item) if item != NONE => Ok(()),
                    _ => Err(Error::Unavailable(
                        "the keychain's prompt to store the item completed without creating it"
                            .to_owned(),
                    )),
                }
            }
            _ => Err(malformed("CreateItem")),
        }
    }

    fn delete(&mut self, item: &str) -> Result<(), Error> {
        let body = self.call(item, ITEM, "Delete", Vec::new())?;
        match body.as_slice() {
            [Value::Path(prompt)] if prompt == NONE => Ok(()),
            [Value::Path(prompt)] => {
                // Completed and not dismissed: deleted.
                self.prompt(prompt, Purpose::Delete)?;
                Ok(())
            }
            _ => Err(malformed("Delete")),
        }
    }

    fn read(&mut self, service: &str, account: &str) -> Result<Option<String>, Error> {
        let Some(item) = self.find_unlocked(service, account, false)?.pop() else {
            return Ok(None);
        };
        let secret = self.get_secret(&item.path)?;
        String::from_utf8(secret)
            .map(Some)
            .map_err(|_| Error::Failed("the keychain item's secret is not UTF-8 text".to_owned()))
    }

    fn write(&mut self, service: &str, account: &str, secret: &str) -> Result<(), Error> {
        let mut again = true;
        loop {
            let Some(item) = self.find_unlocked(service, account, false)?.pop() else {
                let collection = self.default_collection()?.ok_or_else(|| {
                    Error::Unavailable(
                        "the Secret Service has no default collection (keyring) to create the item in"
                            .to_owned(),
                    )
                })?;
                if self.unlock(vec![collection.clone()])? && again {
                    // Unlocked by the person: search again before creating.
                    again = false;
                    continue;
                }
                return self.create(&collection, service, account, secret.as_bytes());
            };
            return self.set_secret(&item.path, secret.as_bytes());
        }
    }

    fn delete_all(&mut self, service: &str, account: &str) -> Result<(), Error> {
        for item in self.find_unlocked(service, account, true)? {
            self.delete(&item.path)?;
        }
        Ok(())
    }

    /// Unlocks what the entry's next operation uses: its items, or, when it has none,
    /// the default collection.
    fn prepare(&mut self, service: &str, account: &str) -> Result<(), Error> {
        if self.find_unlocked(service, account, true)?.is_empty()
            && let Some(collection) = self.default_collection()?
        {
            self.unlock(vec![collection])?;
        }
        Ok(())
    }
}

/// D-Bus strings cannot hold NUL (D-Bus Specification, "Valid Strings"... "must not
/// contain a nul byte").
fn check_names(service: &str, account: &str) -> Result<(), Error> {
    if service.contains('\0') || account.contains('\0') {
        return Err(Error::Failed(
            "the Secret Service cannot store a service or account name containing NUL".to_owned(),
        ));
    }
    Ok(())
}

fn ambiguous(n: usize, service: &str, account: &str) -> Error {
    Error::Failed(format!(
        "{n} Secret Service items match service {service:?} and user {account:?}; keep one \
         (`secret-tool search --all service {service:?} username {account:?}` lists them)"
    ))
}

/// The entry's secret, or `None` when there is no item.
pub(crate) fn read(service: &str, account: &str) -> Result<Option<String>, Error> {
    check_names(service, account)?;
    Session::connect()?.read(service, account)
}

/// Stores `secret` in the entry's item, creating the item when there is none.
pub(crate) fn write(service: &str, account: &str, secret: &str) -> Result<(), Error> {
    check_names(service, account)?;
    Session::connect()?.write(service, account, secret)
}

/// Deletes every item of the entry (none is not an error).
pub(crate) fn delete(service: &str, account: &str) -> Result<(), Error> {
    check_names(service, account)?;
    Session::connect()?.delete_all(service, account)
}

/// Unlocks, through a prompt when needed, what the entry's next operations use, so that
/// they need none: the keychain store calls it before it takes its lock file, keeping
/// the wait for a person out of the time that lock is held.
pub(crate) fn unlock(service: &str, account: &str) -> Result<(), Error> {
    check_names(service, account)?;
    Session::connect()?.prepare(service, account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret_service::connection::fake::{
        SERVICE_NAME, completed, error, name_owner_changed, reply, serve, signal,
    };
    use crate::secret_service::prompt::PROMPT;
    use crate::secret_service::wire::Message;

    const LOGIN: &str = "/org/freedesktop/secrets/collection/login";
    const ITEM_PATH: &str = "/org/freedesktop/secrets/collection/login/1";
    const PROMPT_PATH: &str = "/org/freedesktop/secrets/prompt/p1";

    /// How the person answers the fake keychain's prompts.
    #[derive(Clone, Copy, PartialEq)]
    enum Person {
        Confirms,
        Dismisses,
        IsAway,
        /// The service exits while its prompt is open.
        ServiceStops,
    }

    /// A fake gnome-keyring with at most one item: `Unlock` of a locked keychain, and
    /// `CreateItem` / `Delete` when `confirm`, return a prompt the person answers.
    struct Keychain {
        secret: Option<Vec<u8>>,
        locked: bool,
        confirm: bool,
        person: Person,
        /// What the open prompt does once confirmed.
        pending: Option<&'static str>,
    }

    fn paths(items: &[&str]) -> Value {
        Value::Array(
            "o".into(),
            items.iter().map(|p| Value::Path((*p).into())).collect(),
        )
    }

    impl Keychain {
        fn new(secret: Option<&str>, locked: bool, person: Person) -> Self {
            Self {
                secret: secret.map(|s| s.as_bytes().to_vec()),
                locked,
                confirm: false,
                person,
                pending: None,
            }
        }

        fn prompt(&mut self, m: &Message, what: &'static str) -> Message {
            self.pending = Some(what);
            reply(m, vec![Value::Path(PROMPT_PATH.into())])
        }

        fn answer(&mut self, m: &Message) -> Vec<Message> {
            let member = m.member.as_deref().unwrap_or("");
            let on_service = m.path.as_deref() == Some(SERVICE_PATH);
            match member {
                "OpenSession" if m.body.first() == Some(&Value::Str("plain".into())) => {
                    vec![reply(
                        m,
                        vec![
                            Value::Variant(Box::new(Value::Str(String::new()))),
                            Value::Path("/org/freedesktop/secrets/session/1".into()),
                        ],
                    )]
                }
                "OpenSession" => vec![error(
                    m,
                    "org.freedesktop.DBus.Error.NotSupported",
                    "plain only",
                )],
                "SearchItems" if on_service => {
                    let items = if self.secret.is_some() {
                        vec![ITEM_PATH]
                    } else {
                        vec![]
                    };
                    let (unlocked, locked) = if self.locked {
                        (vec![], items)
                    } else {
                        (items, vec![])
                    };
                    vec![reply(m, vec![paths(&unlocked), paths(&locked)])]
                }
                "SearchItems" => vec![reply(m, vec![paths(&[])])],
                "ReadAlias" => vec![reply(m, vec![Value::Path(LOGIN.into())])],
                "Unlock" if self.locked => {
                    self.pending = Some("unlock");
                    vec![reply(m, vec![paths(&[]), Value::Path(PROMPT_PATH.into())])]
                }
                "Unlock" => vec![reply(m, vec![m.body[0].clone(), Value::Path(NONE.into())])],
                "GetNameOwner" => vec![reply(m, vec![Value::Str(SERVICE_NAME.into())])],
                "AddMatch" | "Dismiss" => vec![reply(m, vec![])],
                "Prompt" => {
                    // Noise first: another prompt's Completed, and a Completed of this
                    // path from another connection; neither may count.
                    let mut out = vec![
                        completed(
                            SERVICE_NAME,
                            "/org/freedesktop/secrets/prompt/other",
                            true,
                            Value::Str(String::new()),
                        ),
                        completed(":1.99", PROMPT_PATH, true, Value::Str(String::new())),
                        signal(SERVICE_NAME, PROMPT_PATH, PROMPT, "Other", vec![]),
                    ];
                    match self.person {
                        Person::Confirms => {
                            let result = match self.pending.take() {
                                Some("unlock") => {
                                    self.locked = false;
                                    paths(&[ITEM_PATH])
                                }
                                Some("create") => {
                                    self.secret = Some(b"created".to_vec());
                                    Value::Path(ITEM_PATH.into())
                                }
                                _ => {
                                    self.secret = None;
                                    Value::Str(String::new())
                                }
                            };
                            // The signal before the reply: the next call must skip it.
                            out.push(completed(SERVICE_NAME, PROMPT_PATH, false, result));
                            out.push(reply(m, vec![]));
                        }
                        Person::Dismisses => {
                            out.push(reply(m, vec![]));
                            out.push(completed(SERVICE_NAME, PROMPT_PATH, true, paths(&[])));
                        }
                        Person::IsAway => out.push(reply(m, vec![])),
                        Person::ServiceStops => {
                            out.push(reply(m, vec![]));
                            out.push(name_owner_changed(
                                "org.freedesktop.DBus",
                                SECRETS,
                                SERVICE_NAME,
                                "",
                            ));
                        }
                    }
                    out
                }
                "GetSecret" if self.locked => {
                    vec![error(m, "org.freedesktop.Secret.Error.IsLocked", "locked")]
                }
                "GetSecret" => vec![reply(
                    m,
                    vec![Value::Struct(vec![
                        Value::Path("/org/freedesktop/secrets/session/1".into()),
                        Value::Bytes(vec![]),
                        Value::Bytes(self.secret.clone().unwrap_or_default()),
                        Value::Str(CONTENT_TYPE.into()),
                    ])],
                )],
                "SetSecret" => {
                    if let [Value::Struct(fields)] = m.body.as_slice()
                        && let Some(Value::Bytes(value)) = fields.get(2)
                    {
                        self.secret = Some(value.clone());
                    }
                    vec![reply(m, vec![])]
                }
                "CreateItem" if self.confirm => {
                    self.pending = Some("create");
                    vec![reply(
                        m,
                        vec![Value::Path(NONE.into()), Value::Path(PROMPT_PATH.into())],
                    )]
                }
                "CreateItem" => {
                    self.secret = Some(b"created".to_vec());
                    vec![reply(
                        m,
                        vec![Value::Path(ITEM_PATH.into()), Value::Path(NONE.into())],
                    )]
                }
                "Delete" if self.confirm => vec![self.prompt(m, "delete")],
                "Delete" => {
                    self.secret = None;
                    vec![reply(m, vec![Value::Path(NONE.into())])]
                }
                _ => vec![error(m, "org.freedesktop.DBus.Error.UnknownMethod", member)],
            }
        }
    }

    /// Runs `op` on a session with the fake keychain and `user_time` for its prompts;
    /// returns its result and the members called, in order.
    fn run<T>(
        mut keychain: Keychain,
        user_time: Duration,
        op: impl FnOnce(&mut Session) -> Result<T, Error>,
    ) -> (Result<T, Error>, Vec<String>, Vec<Message>) {
        let (conn, server) = serve(Duration::from_secs(10), move |m| keychain.answer(m));
        let mut session = Session::on(conn, user_time);
        let result = op(&mut session);
        drop(session);
        let calls = server.join().unwrap();
        let members = calls
            .iter()
            .map(|m| m.member.clone().unwrap_or_default())
            .collect();
        (result, members, calls)
    }

    fn unavailable<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
        match result {
            Err(Error::Unavailable(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn read_continues_after_a_completed_unlock_prompt() {
        let keychain = Keychain::new(Some("doc"), true, Person::Confirms);
        let (result, members, calls) = run(keychain, PROMPT_TIMEOUT, |s| s.read("s", "a"));
        assert_eq!(result.unwrap().as_deref(), Some("doc"));
        assert_eq!(
            members,
            [
                "SearchItems",
                "Unlock",
                "GetNameOwner",
                "AddMatch",
                "AddMatch",
                "Prompt",
                // searched again once unlocked, then nothing left to unlock
                "SearchItems",
                "OpenSession",
                "OpenSession",
                "GetSecret"
            ]
        );
        let add_match = &calls[3];
        assert_eq!(
            add_match.body,
            [Value::Str(format!(
                "type='signal',sender='org.freedesktop.secrets',interface='{PROMPT}',\
                 member='Completed',path='{PROMPT_PATH}'"
            ))]
        );
        assert_eq!(
            add_match.destination.as_deref(),
            Some("org.freedesktop.DBus")
        );
        assert_eq!(
            calls[4].body,
            [Value::Str(
                "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',\
                 member='NameOwnerChanged',arg0='org.freedesktop.secrets'"
                    .into()
            )]
        );
        let prompt = &calls[5];
        assert_eq!(prompt.path.as_deref(), Some(PROMPT_PATH));
        assert_eq!(prompt.interface.as_deref(), Some(PROMPT));
        assert_eq!(prompt.body, [Value::Str(String::new())]);
    }

    #[test]
    fn a_dismissed_unlock_prompt_is_unavailable() {
        for op in [
            |s: &mut Session| s.read("s", "a").map(drop),
            |s: &mut Session| s.write("s", "a", "x"),
            |s: &mut Session| s.delete_all("s", "a"),
            |s: &mut Session| s.prepare("s", "a"),
        ] {
            let keychain = Keychain::new(Some("doc"), true, Person::Dismisses);
            let (result, members, _) = run(keychain, PROMPT_TIMEOUT, op);
            let m = unavailable(result);
            assert!(
                m.contains("the keychain is locked, and its unlock prompt was dismissed"),
                "{m}"
            );
            // Nothing is read, written or deleted.
            assert_eq!(members.last().map(String::as_str), Some("Prompt"));
        }
    }

    #[test]
    fn an_unanswered_prompt_is_dismissed_at_its_deadline() {
        let keychain = Keychain::new(Some("doc"), true, Person::IsAway);
        let (result, members, calls) =
            run(keychain, Duration::from_millis(100), |s| s.read("s", "a"));
        let m = unavailable(result);
        assert!(
            m.contains("unlock prompt was not answered within 120 s"),
            "{m}"
        );
        assert_eq!(
            members,
            [
                "SearchItems",
                "Unlock",
                "GetNameOwner",
                "AddMatch",
                "AddMatch",
                "Prompt",
                "Dismiss"
            ]
        );
        let dismiss = calls.last().unwrap();
        assert_eq!(dismiss.path.as_deref(), Some(PROMPT_PATH));
        assert_eq!(dismiss.interface.as_deref(), Some(PROMPT));
    }

    #[test]
    fn a_service_stopping_at_its_prompt_ends_the_operation() {
        for (confirm, expect) in [
            (
                false,
                "the Secret Service stopped while its unlock prompt was open",
            ),
            (
                true,
                "the Secret Service stopped while its prompt to delete the item was open",
            ),
        ] {
            let mut keychain = Keychain::new(Some("doc"), !confirm, Person::ServiceStops);
            keychain.confirm = confirm;
            // 60 s for the person: ending at the deadline would not end the test soon.
            let (result, members, _) = run(keychain, Duration::from_secs(60), |s| {
                s.delete_all("s", "a")
            });
            assert_eq!(unavailable(result), expect);
            // Nothing more is asked of the service, not even Dismiss.
            assert_eq!(members.last().map(String::as_str), Some("Prompt"));
        }
    }

    #[test]
    fn write_searches_again_after_unlocking_the_collection() {
        // Nothing stored, the keychain locked: the collection's unlock prompt, a second
        // search, then the item is created.
        let keychain = Keychain::new(None, true, Person::Confirms);
        let (result, members, _) = run(keychain, PROMPT_TIMEOUT, |s| s.write("s", "a", "x"));
        result.unwrap();
        assert_eq!(
            members,
            [
                "SearchItems",
                "ReadAlias",
                "SearchItems",
                "ReadAlias",
                "Unlock",
                "GetNameOwner",
                "AddMatch",
                "AddMatch",
                "Prompt",
                "SearchItems",
                "ReadAlias",
                "SearchItems",
                "ReadAlias",
                "Unlock",
                "OpenSession",
                "OpenSession",
                "CreateItem"
            ]
        );
    }

    #[test]
    fn create_and_delete_prompts_are_awaited() {
        let mut keychain = Keychain::new(None, false, Person::Confirms);
        keychain.confirm = true;
        let (result, members, _) = run(keychain, PROMPT_TIMEOUT, |s| {
            s.write("s", "a", "x")?;
            let created = s.read("s", "a")?;
            s.delete_all("s", "a")?;
            Ok((created, s.read("s", "a")?))
        });
        assert_eq!(result.unwrap(), (Some("created".to_owned()), None));
        let prompts = members.iter().filter(|m| *m == "Prompt").count();
        assert_eq!(prompts, 2, "{members:?}");

        for (person, expect) in [
            (Person::Dismisses, "prompt to delete the item was dismissed"),
            (Person::IsAway, "prompt to delete the item was not answered"),
        ] {
            let mut keychain = Keychain::new(Some("doc"), false, person);
            keychain.confirm = true;
            let (result, _, _) = run(keychain, Duration::from_millis(50), |s| {
                s.delete_all("s", "a")
            });
            let m = unavailable(result);
            assert!(m.contains(expect), "{m}");
        }
    }

    #[test]
    fn an_error_reply_to_prompt_ends_the_wait() {
        let keychain = Keychain::new(Some("doc"), true, Person::Confirms);
        let mut keychain = keychain;
        let (conn, server) = serve(Duration::from_secs(10), move |m| {
            if m.member.as_deref() == Some("Prompt") {
                vec![error(
                    m,
                    "org.freedesktop.DBus.Error.UnknownMethod",
                    "Object does not exist",
                )]
            } else {
                keychain.answer(m)
            }
        });
        let mut session = Session::on(conn, PROMPT_TIMEOUT);
        match session.read("s", "a") {
            Err(Error::Reply(name, _)) => {
                assert_eq!(name, "org.freedesktop.DBus.Error.UnknownMethod");
            }
            other => panic!("{other:?}"),
        }
        drop(session);
        server.join().unwrap();
    }
}
