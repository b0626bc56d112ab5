//! A real SMTP receiver inside the test process.
//!
//! [`SmtpServer::start`] listens on `127.0.0.1` (a port chosen by the OS) and speaks enough
//! SMTP for lettre's plain (no TLS) `SmtpTransport`, pooled or not: EHLO/HELO, optional
//! AUTH PLAIN/LOGIN (any credentials pass), MAIL, RCPT, DATA, RSET, NOOP, QUIT. Every accepted
//! message is kept as a [`Received`], which can decode its headers and its text/HTML parts.
//!
//! Tests can also misbehave on purpose: reject recipients ([`SmtpServer::reject_recipient`]),
//! simulate an outage ([`SmtpServer::stop`] / [`SmtpServer::restart`]) or hold a message
//! unanswered to kill a sender in the middle of a send ([`SmtpServer::hold_after`]).
//!
//! One thread accepts connections, one thread serves each connection. Nothing here sleeps
//! except the bind retry in [`SmtpServer::restart`] and a short pause after a failed
//! `accept` (e.g. out of file descriptors).

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mail_parser::{HeaderForm, Message, MessageParser, PartType};

/// How long [`SmtpServer::wait_until_holding`] waits before it panics.
const HOLD_WAIT: Duration = Duration::from_secs(30);

/// How long [`SmtpServer::restart`] retries binding the old port.
const REBIND_WAIT: Duration = Duration::from_secs(2);

// ---------------------------------------------------------------------------------------------
// Received messages
// ---------------------------------------------------------------------------------------------

// Decoding is left to mail-parser: MIME (RFC 2045-2047: multiparts, quoted-printable, base64,
// charsets, encoded-words) is a solved problem, and a well-kept, widely used library gets its
// corners right where a hand-written decoder here would have to grow its own and be tested.

/// A message as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The address inside `MAIL FROM:<...>` (empty for the null sender `<>`).
    pub mail_from: String,
    /// The addresses inside the accepted `RCPT TO:<...>` commands, in order.
    pub rcpt_to: Vec<String>,
    /// The raw message (headers and body) as sent after DATA: dot-unstuffed, every line
    /// ending in CRLF, the terminating `.` line left out.
    ///
    /// lettre always sends CRLF `.` CRLF after the message, so a message that already ended
    /// in CRLF (every lettre message with a single-part body ending in a newline) arrives
    /// with one more empty line at the end.
    pub data: String,
}

impl Received {
    /// The first header called `name` (case-insensitive), or `None`.
    ///
    /// The value is read as unstructured text whatever the header: unfolded, trimmed, and
    /// RFC 2047 encoded-words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) decoded, so a subject
    /// reads back as written and an address or a Message-ID keeps its angle brackets.
    pub fn header(&self, name: &str) -> Option<String> {
        let message = self.parse();
        let value = message
            .header_as(name, HeaderForm::Text)
            .into_iter()
            .next()?;
        Some(value.into_text().map(String::from).unwrap_or_default())
    }

    /// The text of the first `text/plain` part that is not an attachment: the message itself
    /// or a part of a `multipart/*` (searched recursively, in order). The
    /// Content-Transfer-Encoding (7bit, 8bit, quoted-printable, base64) and the charset are
    /// decoded, and line breaks are `\n`. A part of a multipart ends where it was written to
    /// end; a single-part body also keeps the extra empty last line described at
    /// [`Received::data`] (compare with `trim_end()` there).
    ///
    /// Panics (with the raw message) if there is no such part.
    pub fn text_body(&self) -> String {
        let message = self.parse();
        let text = message.text_bodies().find_map(|part| match &part.body {
            PartType::Text(text) => Some(text.replace("\r\n", "\n")),
            _ => None,
        });
        text.unwrap_or_else(|| panic!("no text/plain part in the message:\n{}", self.data))
    }

    /// The text of the first `text/html` part that is not an attachment, decoded like
    /// [`Received::text_body`]; `None` if there is none.
    pub fn html_body(&self) -> Option<String> {
        let message = self.parse();
        message.html_bodies().find_map(|part| match &part.body {
            PartType::Html(html) => Some(html.replace("\r\n", "\n")),
            _ => None,
        })
    }

    /// Every `http://` or `https://` URL in [`Received::text_body`], in order. A URL ends at
    /// whitespace, `>`, `<`, `)` or `"`.
    pub fn links(&self) -> Vec<String> {
        let text = self.text_body();
        let mut links = Vec::new();
        let mut rest = text.as_str();
        loop {
            let start = match (rest.find("http://"), rest.find("https://")) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => break,
            };
            let tail = &rest[start..];
            let end = tail
                .find(|c: char| c.is_whitespace() || matches!(c, '>' | '<' | ')' | '"'))
                .unwrap_or(tail.len());
            links.push(tail[..end].to_owned());
            rest = &tail[end..];
        }
        links
    }

    /// The message, parsed (MIME headers and the body structure; other headers raw).
    fn parse(&self) -> Message<'_> {
        MessageParser::new()
            .with_mime_headers()
            .parse(self.data.as_bytes())
            .unwrap_or_else(|| panic!("mail-parser cannot parse the message:\n{}", self.data))
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

/// What the accept thread, the connection threads and the handle share.
struct Shared {
    /// Everything mutable.
    state: Mutex<State>,
    /// Notified on every change the handle may wait for (held messages, releases, stops).
    changed: Condvar,
}

impl Shared {
    /// The state, also after a panic in another thread.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Decides the fate of a complete message from a connection of `generation`.
    fn finish(&self, message: Received, generation: u64) -> Outcome {
        let mut state = self.state();
        if state.generation != generation {
            return Outcome::Stopped;
        }
        match state.hold_after {
            Some(0) => {
                state.holding += 1;
                self.changed.notify_all();
                let epoch = state.release_epoch;
                while state.release_epoch == epoch && state.generation == generation {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                state.holding -= 1;
                self.changed.notify_all();
                if state.generation == generation {
                    Outcome::Discarded
                } else {
                    Outcome::Stopped
                }
            }
            remaining => {
                state.hold_after = remaining.map(|n| n - 1);
                state.queued += 1;
                state.messages.push(message);
                self.changed.notify_all();
                Outcome::Accepted(state.queued)
            }
        }
    }

    /// The configured reply for `RCPT TO:<address>`, if it is to be rejected this time.
    fn rejection(&self, address: &str) -> Option<String> {
        let mut state = self.state();
        let key = address.to_ascii_lowercase();
        let rejection = state.rejections.get_mut(&key)?;
        rejection.remaining -= 1;
        let reply = rejection.reply.clone();
        if rejection.remaining == 0 {
            state.rejections.remove(&key);
        }
        Some(reply)
    }
}

/// The mutable part of [`Shared`].
struct State {
    /// Whether a listener is up.
    running: bool,
    /// Incremented by every stop: connections and the accept thread of an older generation
    /// are dead.
    generation: u64,
    /// The accept thread of the running listener.
    acceptor: Option<JoinHandle<()>>,
    /// Accepted messages, in order.
    messages: Vec<Received>,
    /// User names of successful AUTH exchanges, in order.
    authenticated: Vec<String>,
    /// Number of messages accepted so far (the "queued as" number).
    queued: u64,
    /// TCP connections accepted so far.
    connections_opened: usize,
    /// TCP connections open now.
    open: usize,
    /// High-water mark of `open`.
    max_open: usize,
    /// Clones of the open connections, to shut them down on stop.
    live: HashMap<u64, TcpStream>,
    /// Id of the next connection.
    next_connection: u64,
    /// Recipients to reject, by lowercased address.
    rejections: HashMap<String, Rejection>,
    /// `Some(n)`: accept `n` more messages, then hold every message until released.
    hold_after: Option<usize>,
    /// Messages being held right now.
    holding: usize,
    /// Incremented by every release; held messages wait for it to change.
    release_epoch: u64,
}

/// A configured `RCPT TO` rejection.
struct Rejection {
    /// The complete reply line, e.g. `550 5.1.1 no such user`.
    reply: String,
    /// How many more times to reject (at least 1 while stored).
    remaining: usize,
}

/// What happens to a complete message.
enum Outcome {
    /// Recorded; reply 250 with this queue number.
    Accepted(u64),
    /// Held, then released: reply 451, not recorded.
    Discarded,
    /// The server stopped: close without a reply, not recorded.
    Stopped,
}

/// A running receiver on 127.0.0.1 (port chosen by the OS). Dropping it stops it.
pub struct SmtpServer {
    /// State shared with the server threads.
    shared: Arc<Shared>,
    /// The port, the same across restarts.
    port: u16,
}

impl SmtpServer {
    /// Binds 127.0.0.1 on a free port and starts accepting connections.
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test SMTP receiver");
        let port = listener.local_addr().expect("local address").port();
        let server = SmtpServer {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    running: false,
                    generation: 0,
                    acceptor: None,
                    messages: Vec::new(),
                    authenticated: Vec::new(),
                    queued: 0,
                    connections_opened: 0,
                    open: 0,
                    max_open: 0,
                    live: HashMap::new(),
                    next_connection: 0,
                    rejections: HashMap::new(),
                    hold_after: None,
                    holding: 0,
                    release_epoch: 0,
                }),
                changed: Condvar::new(),
            }),
            port,
        };
        server.serve(listener);
        server
    }

    /// `smtp://127.0.0.1:{port}`: plain SMTP for lettre's `SmtpTransport::from_url`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The port the receiver listens on (the same after a restart).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The accepted messages, in order of acceptance.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.state().messages.clone()
    }

    /// The user names that authenticated (AUTH PLAIN or LOGIN), in order.
    pub fn authenticated_users(&self) -> Vec<String> {
        self.shared.state().authenticated.clone()
    }

    /// How many messages were accepted (without copying them).
    pub fn message_count(&self) -> usize {
        self.shared.state().messages.len()
    }

    /// The accepted messages with `address` among their recipients (case-insensitive).
    pub fn messages_to(&self, address: &str) -> Vec<Received> {
        self.shared
            .state()
            .messages
            .iter()
            .filter(|message| {
                message
                    .rcpt_to
                    .iter()
                    .any(|rcpt| rcpt.eq_ignore_ascii_case(address))
            })
            .cloned()
            .collect()
    }

    /// TCP connections accepted so far.
    pub fn connections_opened(&self) -> usize {
        self.shared.state().connections_opened
    }

    /// The most TCP connections that were open at the same time. A connection counts as
    /// closed once the receiver has answered its QUIT or seen it end.
    pub fn max_concurrent_connections(&self) -> usize {
        self.shared.state().max_open
    }

    /// Answer `RCPT TO` for `address` (case-insensitive) with `reply` (a complete reply line,
    /// e.g. `"450 4.2.1 mailbox busy"` or `"550 5.1.1 no such user"`) the next `times` times,
    /// then accept normally. Replaces an earlier setting for the same address.
    pub fn reject_recipient(&self, address: &str, reply: &str, times: usize) {
        let mut state = self.shared.state();
        let key = address.to_ascii_lowercase();
        if times == 0 {
            state.rejections.remove(&key);
        } else {
            let rejection = Rejection {
                reply: reply.to_owned(),
                remaining: times,
            };
            state.rejections.insert(key, rejection);
        }
    }

    /// Outage: closes the listener (new connections are refused) and shuts down every open
    /// connection; a message in flight (or held) is not accepted. Returns once the listener
    /// is closed. Does nothing if already stopped.
    pub fn stop(&self) {
        let (acceptor, connections) = {
            let mut state = self.shared.state();
            if !state.running {
                return;
            }
            state.running = false;
            state.generation += 1;
            self.shared.changed.notify_all();
            let connections: Vec<TcpStream> = state.live.drain().map(|(_, s)| s).collect();
            (state.acceptor.take(), connections)
        };
        for connection in connections {
            let _ = connection.shutdown(Shutdown::Both);
        }
        // Wake the accept thread: it sees the new generation and drops the listener.
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let wake = TcpStream::connect_timeout(&address, Duration::from_secs(5));
        if let Some(acceptor) = acceptor {
            // A panicked accept thread has dropped its listener too; its message is printed.
            let _ = acceptor.join();
        }
        drop(wake);
    }

    /// Listens again on the same port after [`SmtpServer::stop`], retrying the bind for up
    /// to 2 s. Does nothing if running.
    pub fn restart(&self) {
        if self.shared.state().running {
            return;
        }
        let deadline = Instant::now() + REBIND_WAIT;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(listener) => break listener,
                Err(error) if Instant::now() < deadline => {
                    let _ = error;
                    thread::sleep(Duration::from_millis(10));
                }
                Err(error) => panic!("cannot listen on port {} again: {error}", self.port),
            }
        };
        self.serve(listener);
    }

    /// After `n` more accepted messages, stop answering: the final `.` of every following
    /// message gets no reply and the message stays out of [`SmtpServer::messages`] until
    /// [`SmtpServer::release`]. Returns at once.
    pub fn hold_after(&self, n: usize) {
        self.shared.state().hold_after = Some(n);
    }

    /// Blocks until at least `n` messages were accepted; panics after 30 s.
    pub fn wait_for_messages(&self, n: usize) {
        self.wait_until(
            |state| state.messages.len() >= n,
            |state| format!("only {} of {n} messages arrived", state.messages.len()),
        );
    }

    /// Blocks until a message is being held; panics after 30 s.
    pub fn wait_until_holding(&self) {
        self.wait_until(
            |state| state.holding > 0,
            |state| {
                format!(
                    "no message was held (hold_after: {:?}, {} accepted)",
                    state.hold_after,
                    state.messages.len()
                )
            },
        );
    }

    /// Blocks until `done` holds for the receiver's state; panics with `failure` after 30 s.
    fn wait_until(&self, done: impl Fn(&State) -> bool, failure: impl Fn(&State) -> String) {
        let deadline = Instant::now() + HOLD_WAIT;
        let mut state = self.shared.state();
        while !done(&state) {
            let now = Instant::now();
            assert!(now < deadline, "{} within {HOLD_WAIT:?}", failure(&state));
            state = self
                .shared
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Ends a hold: every held message gets `451` (a transient failure for the client) and
    /// is discarded; later messages are accepted normally.
    pub fn release(&self) {
        let mut state = self.shared.state();
        state.hold_after = None;
        state.release_epoch += 1;
        self.shared.changed.notify_all();
    }

    /// Starts the accept thread for `listener`.
    fn serve(&self, listener: TcpListener) {
        let mut state = self.shared.state();
        state.running = true;
        let generation = state.generation;
        let shared = Arc::clone(&self.shared);
        let acceptor = thread::Builder::new()
            .name(format!("smtp-accept-{}", self.port))
            .spawn(move || accept_loop(&shared, &listener, generation))
            .expect("spawn the SMTP accept thread");
        state.acceptor = Some(acceptor);
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts connections until the generation changes, a thread for each.
fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener, generation: u64) {
    loop {
        let accepted = listener.accept();
        let mut state = shared.state();
        if state.generation != generation {
            return;
        }
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or the like: try again shortly.
            drop(state);
            thread::sleep(Duration::from_millis(5));
            continue;
        };
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let id = state.next_connection;
        state.next_connection += 1;
        state.connections_opened += 1;
        state.open += 1;
        state.max_open = state.max_open.max(state.open);
        state.live.insert(id, clone);
        drop(state);
        let connection = Connection {
            shared: Arc::clone(shared),
            id,
            generation,
            registered: true,
        };
        thread::Builder::new()
            .name(format!("smtp-connection-{id}"))
            .spawn(move || {
                if let Ok(mut session) = Session::new(connection, stream) {
                    // Errors are clients going away: nothing to do.
                    let _ = session.run();
                    let _ = session.writer.shutdown(Shutdown::Both);
                }
            })
            .expect("spawn an SMTP connection thread");
    }
}

/// A connection's place in the counts; leaves them when dropped.
struct Connection {
    /// The server state.
    shared: Arc<Shared>,
    /// Key in [`State::live`].
    id: u64,
    /// The generation it was accepted in.
    generation: u64,
    /// Whether it still counts as open.
    registered: bool,
}

impl Connection {
    /// Stops counting this connection as open (idempotent).
    fn deregister(&mut self) {
        if self.registered {
            self.registered = false;
            let mut state = self.shared.state();
            state.open -= 1;
            state.live.remove(&self.id);
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.deregister();
    }
}

/// The SMTP conversation on one connection.
struct Session {
    /// The connection's registration.
    connection: Connection,
    /// Reads commands and data.
    reader: BufReader<TcpStream>,
    /// Writes replies.
    writer: TcpStream,
    /// The sender of the current transaction.
    mail_from: Option<String>,
    /// The accepted recipients of the current transaction.
    rcpt_to: Vec<String>,
}

impl Session {
    /// A session on `stream`.
    fn new(connection: Connection, stream: TcpStream) -> io::Result<Session> {
        Ok(Session {
            connection,
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
            mail_from: None,
            rcpt_to: Vec::new(),
        })
    }

    /// Serves commands until QUIT, the end of the connection or a stop.
    fn run(&mut self) -> io::Result<()> {
        self.reply("220 localhost ESMTP test")?;
        while let Some(line) = self.read_line()? {
            let (verb, argument) = match line.split_once(' ') {
                Some((verb, argument)) => (verb.to_ascii_uppercase(), argument.trim()),
                None => (line.to_ascii_uppercase(), ""),
            };
            match verb.as_str() {
                "EHLO" => {
                    self.reset();
                    self.reply(concat!(
                        "250-localhost\r\n",
                        "250-8BITMIME\r\n",
                        "250-SMTPUTF8\r\n",
                        "250-AUTH PLAIN LOGIN\r\n",
                        "250 SIZE 10485760",
                    ))?;
                }
                "HELO" => {
                    self.reset();
                    self.reply("250 localhost")?;
                }
                "MAIL" => match path_after(argument, "FROM:") {
                    Some(address) => {
                        self.reset();
                        self.mail_from = Some(address);
                        self.reply("250 2.1.0 Ok")?;
                    }
                    None => self.reply("501 5.5.4 Syntax: MAIL FROM:<address>")?,
                },
                "RCPT" => {
                    if self.mail_from.is_none() {
                        self.reply("503 5.5.1 Error: need MAIL command")?;
                    } else if let Some(address) = path_after(argument, "TO:") {
                        match self.connection.shared.rejection(&address) {
                            Some(reply) => self.reply(&reply)?,
                            None => {
                                self.rcpt_to.push(address);
                                self.reply("250 2.1.5 Ok")?;
                            }
                        }
                    } else {
                        self.reply("501 5.5.4 Syntax: RCPT TO:<address>")?;
                    }
                }
                "DATA" => {
                    if !self.data()? {
                        return Ok(());
                    }
                }
                "RSET" => {
                    self.reset();
                    self.reply("250 2.0.0 Ok")?;
                }
                "NOOP" => self.reply("250 2.0.0 Ok")?,
                "QUIT" => {
                    // Stop counting before answering: once the client has the 221, the
                    // connection no longer counts as open.
                    self.connection.deregister();
                    self.reply("221 2.0.0 Bye")?;
                    return Ok(());
                }
                "AUTH" => {
                    if !self.auth(argument)? {
                        return Ok(());
                    }
                }
                _ => self.reply("502 5.5.2 Command not recognized")?,
            }
        }
        Ok(())
    }

    /// Receives a message after DATA. `false`: the connection is over.
    fn data(&mut self) -> io::Result<bool> {
        let Some(mail_from) = self.mail_from.clone() else {
            self.reply("503 5.5.1 Error: need MAIL command")?;
            return Ok(true);
        };
        if self.rcpt_to.is_empty() {
            self.reply("554 5.5.1 Error: no valid recipients")?;
            return Ok(true);
        }
        self.reply("354 End data with <CR><LF>.<CR><LF>")?;
        let mut data = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            if self.reader.read_until(b'\n', &mut line)? == 0 {
                // The client vanished in the middle of the message.
                return Ok(false);
            }
            let mut content = line.strip_suffix(b"\n").unwrap_or(&line);
            content = content.strip_suffix(b"\r").unwrap_or(content);
            if content == b"." {
                break;
            }
            // Undo dot-stuffing: a line starting with a dot loses that dot.
            content = content.strip_prefix(b".").unwrap_or(content);
            data.extend_from_slice(content);
            data.extend_from_slice(b"\r\n");
        }
        let message = Received {
            mail_from,
            rcpt_to: std::mem::take(&mut self.rcpt_to),
            data: String::from_utf8_lossy(&data).into_owned(),
        };
        self.reset();
        let generation = self.connection.generation;
        match self.connection.shared.finish(message, generation) {
            Outcome::Accepted(queued) => {
                self.reply(&format!("250 2.0.0 Ok: queued as {queued}"))?;
                Ok(true)
            }
            Outcome::Discarded => {
                self.reply("451 4.3.0 Message held by the test receiver and discarded")?;
                Ok(true)
            }
            Outcome::Stopped => Ok(false),
        }
    }

    /// AUTH PLAIN or LOGIN with any credentials. `false`: the connection is over.
    fn auth(&mut self, argument: &str) -> io::Result<bool> {
        let mut words = argument.split_whitespace();
        let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
        let initial = words.next();
        let challenges: &[&str] = match (mechanism.as_str(), initial) {
            ("PLAIN", Some(_)) => &[],
            ("PLAIN", None) => &["334 "],
            // "Username:" and "Password:" in base64.
            ("LOGIN", Some(_)) => &["334 UGFzc3dvcmQ6"],
            ("LOGIN", None) => &["334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6"],
            _ => {
                self.reply("504 5.5.4 Unrecognized authentication type")?;
                return Ok(true);
            }
        };
        let mut answers: Vec<String> = initial.map(str::to_owned).into_iter().collect();
        for challenge in challenges {
            self.reply(challenge)?;
            let Some(answer) = self.read_line()? else {
                return Ok(false);
            };
            if answer.trim() == "*" {
                self.reply("501 5.7.0 Authentication cancelled")?;
                return Ok(true);
            }
            answers.push(answer);
        }
        // PLAIN: base64 of "authzid\0user\0password"; LOGIN: the first answer is the user name.
        let decoded = answers
            .first()
            .and_then(|a| {
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, a.trim()).ok()
            })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        let user = if mechanism == "PLAIN" {
            decoded.split('\0').nth(1).unwrap_or_default().to_owned()
        } else {
            decoded
        };
        self.connection.shared.state().authenticated.push(user);
        self.reply("235 2.7.0 Authentication successful")?;
        Ok(true)
    }

    /// Forgets the current transaction.
    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }

    /// The next command line without its line end; `None` at the end of the connection.
    fn read_line(&mut self) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        if self.reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        Ok(Some(line.trim_end_matches(['\r', '\n']).to_owned()))
    }

    /// Sends `reply` (one or more lines separated by CRLF) and a final CRLF.
    fn reply(&mut self, reply: &str) -> io::Result<()> {
        self.writer.write_all(format!("{reply}\r\n").as_bytes())?;
        self.writer.flush()
    }
}

/// The address in `FROM:<address> PARAMS` / `TO:<address>` (`keyword` case-insensitive,
/// angle brackets optional, spaces after the colon tolerated).
fn path_after(argument: &str, keyword: &str) -> Option<String> {
    let head = argument.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = argument[keyword.len()..].trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>')?;
        Some(inner[..end].to_owned())
    } else {
        let address = rest.split_whitespace().next()?;
        Some(address.to_owned())
    }
}

// ---------------------------------------------------------------------------------------------
// Tests of the receiver itself, with lettre as the client
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::{ContentTransferEncoding, ContentType};
    use lettre::message::{Attachment, MultiPart, SinglePart};
    use lettre::transport::smtp::PoolConfig;
    use lettre::transport::smtp::authentication::Mechanism;
    use lettre::{Message, SmtpTransport, Transport};

    /// A pooled lettre transport to `server`.
    fn transport(server: &SmtpServer) -> SmtpTransport {
        SmtpTransport::from_url(&server.url()).unwrap().build()
    }

    /// A plain-text message from the survey team to `to`.
    fn simple_message(to: &str, subject: &str) -> Message {
        Message::builder()
            .from("MINT-Team <umfrage@mint.example.org>".parse().unwrap())
            .to(to.parse().unwrap())
            .subject(subject)
            .body(format!("Hallo,\nNachricht: {subject}\n"))
            .unwrap()
    }

    /// A raw SMTP client for the protocol tests.
    struct RawClient {
        /// Reads replies.
        reader: BufReader<TcpStream>,
        /// Writes commands.
        writer: TcpStream,
    }

    impl RawClient {
        /// Connects to `server` and reads the greeting.
        fn connect(server: &SmtpServer) -> RawClient {
            let stream = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
            let mut client = RawClient {
                reader: BufReader::new(stream.try_clone().unwrap()),
                writer: stream,
            };
            assert_eq!(client.read_reply(), ["220 localhost ESMTP test"]);
            client
        }

        /// Reads one (possibly multi-line) reply.
        fn read_reply(&mut self) -> Vec<String> {
            let mut lines = Vec::new();
            loop {
                let mut line = String::new();
                assert_ne!(self.reader.read_line(&mut line).unwrap(), 0, "EOF");
                let line = line.trim_end_matches(['\r', '\n']).to_owned();
                let last = line.as_bytes().get(3) != Some(&b'-');
                lines.push(line);
                if last {
                    return lines;
                }
            }
        }

        /// Sends `command` and returns the reply.
        fn command(&mut self, command: &str) -> Vec<String> {
            self.writer
                .write_all(format!("{command}\r\n").as_bytes())
                .unwrap();
            self.read_reply()
        }

        /// Sends `command` and returns the first line of the reply.
        fn line(&mut self, command: &str) -> String {
            self.command(command).remove(0)
        }
    }

    #[test]
    fn smtp_receiver_decodes_a_multipart_message() {
        let server = SmtpServer::start();
        let long_line = format!(
        "{} Der Fragebogen liegt hier: https://umfrage.example.org/fragebogen/{}?sprache=de",
        "Diese Zeile ist sehr lang, enthält Umlaute wie ä, ö, ü und ß und muss umbrochen werden."
            .repeat(4),
        "abcdefghij".repeat(8),
    );
        let text = format!(
            "Hallo Jürgen,\n\nbitte nehmen Sie an der Umfrage teil: \
         https://umfrage.example.org/t/abc123?lang=de\n\n{long_line}\n\nMit freundlichen \
         Grüßen\nIhr MINT-Team (Fragen: <https://mint.example.org/kontakt>)\n"
        );
        let html = "<p>Hallo Jürgen,</p>\n<p><a href=\"https://umfrage.example.org/t/abc123\">Zur \
                Umfrage</a></p>\n";
        let subject = "Einladung zur Umfrage – Thüringen";
        let message = Message::builder()
            .from("MINT-Team <umfrage@mint.example.org>".parse().unwrap())
            .to("Jürgen Müller <juergen@example.org>".parse().unwrap())
            .subject(subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(text.clone()))
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .header(ContentTransferEncoding::Base64)
                            .body(html.to_owned()),
                    ),
            )
            .unwrap();
        transport(&server).send(&message).unwrap();

        let messages = server.messages();
        assert_eq!(messages.len(), 1);
        let received = &messages[0];
        assert_eq!(received.mail_from, "umfrage@mint.example.org");
        assert_eq!(received.rcpt_to, ["juergen@example.org"]);
        // The subject travelled encoded, and reads back as written.
        assert!(
            received
                .data
                .contains("Subject: Einladung zur Umfrage =?utf-8?b?"),
            "{}",
            received.data
        );
        assert!(
            received.data.contains("quoted-printable"),
            "{}",
            received.data
        );
        assert_eq!(received.header("subject").as_deref(), Some(subject));
        assert_eq!(received.header("SUBJECT").as_deref(), Some(subject));
        assert_eq!(
            received.header("to").as_deref(),
            Some("Jürgen Müller <juergen@example.org>")
        );
        assert_eq!(received.header("X-Missing"), None);
        assert!(
            received
                .header("content-type")
                .unwrap()
                .starts_with("multipart/alternative;")
        );
        assert_eq!(received.text_body(), text);
        assert_eq!(received.html_body().as_deref(), Some(html));
        assert_eq!(
            received.links(),
            [
                "https://umfrage.example.org/t/abc123?lang=de".to_owned(),
                format!(
                    "https://umfrage.example.org/fragebogen/{}?sprache=de",
                    "abcdefghij".repeat(8)
                ),
                "https://mint.example.org/kontakt".to_owned(),
            ]
        );
        assert_eq!(server.messages_to("JUERGEN@example.org").len(), 1);
        assert!(server.messages_to("someone@example.org").is_empty());
    }

    #[test]
    fn smtp_receiver_finds_the_text_in_nested_multiparts_and_skips_attachments() {
        let server = SmtpServer::start();
        let message = Message::builder()
            .from("umfrage@mint.example.org".parse().unwrap())
            .to("a@example.org".parse().unwrap())
            .subject("Bericht")
            .multipart(
                MultiPart::mixed()
                    .singlepart(
                        Attachment::new("notizen.txt".to_owned())
                            .body("Anhang, nicht der Text".to_owned(), ContentType::TEXT_PLAIN),
                    )
                    .multipart(MultiPart::alternative_plain_html(
                        "Der Text: http://example.org/bericht".to_owned(),
                        "<b>Der Text</b>".to_owned(),
                    )),
            )
            .unwrap();
        transport(&server).send(&message).unwrap();

        let received = &server.messages()[0];
        assert_eq!(received.header("subject").as_deref(), Some("Bericht"));
        assert_eq!(received.text_body(), "Der Text: http://example.org/bericht");
        assert_eq!(received.html_body().as_deref(), Some("<b>Der Text</b>"));
        assert_eq!(received.links(), ["http://example.org/bericht"]);
    }

    #[test]
    fn smtp_receiver_undoes_dot_stuffing_and_keeps_8bit_text() {
        let server = SmtpServer::start();
        let body = "Zeile eins\n..hidden\n.\n.x\nGrüße aus Thüringen\n";
        let message = Message::builder()
            .from("umfrage@mint.example.org".parse().unwrap())
            .to("a@example.org".parse().unwrap())
            .subject("Punkte")
            .header(ContentType::TEXT_PLAIN)
            .header(ContentTransferEncoding::EightBit)
            .body(body.to_owned())
            .unwrap();
        transport(&server).send(&message).unwrap();

        let received = &server.messages()[0];
        assert!(
            received
                .data
                .contains("\r\n\r\nZeile eins\r\n..hidden\r\n.\r\n.x\r\nGrüße aus Thüringen\r\n"),
            "{:?}",
            received.data
        );
        assert_eq!(received.text_body().trim_end(), body.trim_end());
    }

    #[test]
    fn smtp_receiver_rejects_recipients_on_request() {
        let server = SmtpServer::start();
        let mailer = transport(&server);

        server.reject_recipient("gone@example.org", "550 5.1.1 no such user", 1);
        let error = mailer
            .send(&simple_message("gone@example.org", "eins"))
            .unwrap_err();
        assert!(error.is_permanent(), "{error:?}");
        mailer
            .send(&simple_message("Gone@Example.org", "zwei"))
            .unwrap();

        server.reject_recipient("busy@example.org", "450 4.2.1 mailbox busy", 2);
        for attempt in 0..2 {
            let error = mailer
                .send(&simple_message("busy@example.org", "drei"))
                .unwrap_err();
            assert!(error.is_transient(), "attempt {attempt}: {error:?}");
        }
        mailer
            .send(&simple_message("busy@example.org", "vier"))
            .unwrap();

        let subjects: Vec<String> = server
            .messages()
            .iter()
            .map(|message| message.header("subject").unwrap())
            .collect();
        assert_eq!(subjects, ["zwei", "vier"]);
        assert_eq!(server.messages_to("busy@example.org").len(), 1);
    }

    #[test]
    fn smtp_receiver_stops_and_restarts() {
        let server = SmtpServer::start();
        let mailer = transport(&server);
        mailer
            .send(&simple_message("a@example.org", "vorher"))
            .unwrap();

        server.stop();
        mailer
            .send(&simple_message("a@example.org", "während"))
            .unwrap_err();
        assert!(TcpStream::connect(("127.0.0.1", server.port())).is_err());

        server.restart();
        mailer
            .send(&simple_message("a@example.org", "nachher"))
            .unwrap();
        let subjects: Vec<String> = server
            .messages()
            .iter()
            .map(|message| message.header("subject").unwrap())
            .collect();
        assert_eq!(subjects, ["vorher", "nachher"]);
        assert!(server.connections_opened() >= 2);
    }

    #[test]
    fn smtp_receiver_holds_a_message_until_released() {
        let server = SmtpServer::start();
        let mailer = transport(&server);
        server.hold_after(1);
        mailer
            .send(&simple_message("a@example.org", "eins"))
            .unwrap();

        let sender = {
            let mailer = mailer.clone();
            thread::spawn(move || mailer.send(&simple_message("a@example.org", "zwei")))
        };
        server.wait_until_holding();
        assert!(!sender.is_finished(), "the held send returned");
        assert_eq!(server.messages().len(), 1);

        server.release();
        let error = sender.join().unwrap().unwrap_err();
        assert!(error.is_transient(), "{error:?}");
        assert_eq!(server.messages().len(), 1);

        mailer
            .send(&simple_message("a@example.org", "drei"))
            .unwrap();
        let subjects: Vec<String> = server
            .messages()
            .iter()
            .map(|message| message.header("subject").unwrap())
            .collect();
        assert_eq!(subjects, ["eins", "drei"]);
    }

    #[test]
    fn smtp_receiver_drops_the_held_message_on_stop() {
        let server = SmtpServer::start();
        let mailer = transport(&server);
        server.hold_after(0);
        let sender = {
            let mailer = mailer.clone();
            thread::spawn(move || mailer.send(&simple_message("a@example.org", "eins")))
        };
        server.wait_until_holding();
        server.stop();
        sender.join().unwrap().unwrap_err();
        assert!(server.messages().is_empty());

        server.restart();
        server.release();
        mailer
            .send(&simple_message("a@example.org", "zwei"))
            .unwrap();
        assert_eq!(server.messages().len(), 1);
    }

    #[test]
    fn smtp_receiver_takes_32_concurrent_senders_through_one_pool() {
        let server = SmtpServer::start();
        let mailer = SmtpTransport::from_url(&server.url())
            .unwrap()
            .pool_config(PoolConfig::new().max_size(32))
            .build();
        let senders: Vec<_> = (0..32)
            .map(|sender| {
                let mailer = mailer.clone();
                thread::spawn(move || {
                    for round in 0..4 {
                        let to = format!("r{sender}-{round}@example.org");
                        mailer.send(&simple_message(&to, "parallel")).unwrap();
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.join().unwrap();
        }

        assert_eq!(server.messages().len(), 128);
        for sender in 0..32 {
            for round in 0..4 {
                let to = format!("r{sender}-{round}@example.org");
                assert_eq!(server.messages_to(&to).len(), 1, "{to}");
            }
        }
        assert!(server.max_concurrent_connections() <= 32);
        assert!(server.max_concurrent_connections() >= 1);
        // The pool reuses connections instead of opening one per message.
        assert!(server.connections_opened() <= 32);
    }

    #[test]
    fn smtp_receiver_holds_64_connections_open_at_once() {
        let server = SmtpServer::start();
        let mut clients: Vec<RawClient> = (0..64).map(|_| RawClient::connect(&server)).collect();
        assert_eq!(server.connections_opened(), 64);
        assert_eq!(server.max_concurrent_connections(), 64);
        for client in &mut clients {
            assert_eq!(client.line("QUIT"), "221 2.0.0 Bye");
        }
        let _client = RawClient::connect(&server);
        assert_eq!(server.max_concurrent_connections(), 64);
        assert_eq!(server.connections_opened(), 65);
    }

    #[test]
    fn smtp_receiver_speaks_the_protocol() {
        let server = SmtpServer::start();
        let mut client = RawClient::connect(&server);
        assert_eq!(
            client.command("ehlo client.example.org"),
            [
                "250-localhost",
                "250-8BITMIME",
                "250-SMTPUTF8",
                "250-AUTH PLAIN LOGIN",
                "250 SIZE 10485760"
            ]
        );
        assert_eq!(client.line("HELO client"), "250 localhost");
        assert_eq!(client.line("noop"), "250 2.0.0 Ok");
        assert_eq!(client.line("STARTTLS"), "502 5.5.2 Command not recognized");
        assert_eq!(
            client.line("RCPT TO:<a@example.org>"),
            "503 5.5.1 Error: need MAIL command"
        );
        assert_eq!(client.line("mail from:<x@example.org>"), "250 2.1.0 Ok");
        assert_eq!(client.line("DATA"), "554 5.5.1 Error: no valid recipients");
        assert_eq!(client.line("RSET"), "250 2.0.0 Ok");
        assert_eq!(
            client.line("rcpt to:<a@example.org>"),
            "503 5.5.1 Error: need MAIL command"
        );
        assert_eq!(client.line("AUTH LOGIN"), "334 VXNlcm5hbWU6");
        assert_eq!(client.line("dXNlcg=="), "334 UGFzc3dvcmQ6");
        assert_eq!(
            client.line("cGFzcw=="),
            "235 2.7.0 Authentication successful"
        );
        assert_eq!(
            client.line("AUTH PLAIN AHVzZXIAcGFzcw=="),
            "235 2.7.0 Authentication successful"
        );
        assert_eq!(client.line("AUTH PLAIN"), "334 ");
        assert_eq!(client.line("*"), "501 5.7.0 Authentication cancelled");
        assert_eq!(client.line("MAIL FROM:<>"), "250 2.1.0 Ok");
        assert_eq!(client.line("RCPT TO: <a@example.org>"), "250 2.1.5 Ok");
        assert_eq!(client.line("RCPT TO:b@example.org"), "250 2.1.5 Ok");
        assert_eq!(client.line("DATA"), "354 End data with <CR><LF>.<CR><LF>");
        assert_eq!(
        client.line("Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_?=\r\n =?utf-8?b?RXJmdXJ0?=\r\n\r\nhallo\r\n..\r\n."),
        "250 2.0.0 Ok: queued as 1"
    );
        assert_eq!(client.line("QUIT"), "221 2.0.0 Bye");

        let received = &server.messages()[0];
        assert_eq!(received.mail_from, "");
        assert_eq!(received.rcpt_to, ["a@example.org", "b@example.org"]);
        assert_eq!(
            received.header("subject").as_deref(),
            Some("Grüße aus Erfurt")
        );
        assert_eq!(received.text_body(), "hallo\n.\n");
        assert!(received.html_body().is_none());
        assert!(received.links().is_empty());
    }

    #[test]
    fn smtp_receiver_accepts_any_credentials() {
        let server = SmtpServer::start();
        let url = server.url().replace("smtp://", "smtp://user:geheim@");
        let plain = SmtpTransport::from_url(&url).unwrap().build();
        plain
            .send(&simple_message("a@example.org", "plain"))
            .unwrap();
        let login = SmtpTransport::from_url(&url)
            .unwrap()
            .authentication(vec![Mechanism::Login])
            .build();
        login
            .send(&simple_message("a@example.org", "login"))
            .unwrap();
        assert_eq!(server.messages().len(), 2);
    }

    #[test]
    fn smtp_receiver_decodes_latin1_and_keeps_structured_headers_as_written() {
        let server = SmtpServer::start();
        let mut client = RawClient::connect(&server);
        assert_eq!(client.line("HELO client"), "250 localhost");
        assert_eq!(client.line("MAIL FROM:<x@example.org>"), "250 2.1.0 Ok");
        assert_eq!(client.line("RCPT TO:<a@example.org>"), "250 2.1.5 Ok");
        assert_eq!(client.line("DATA"), "354 End data with <CR><LF>.<CR><LF>");
        let message = [
            "Subject: =?iso-8859-1?q?Gr=FC=DFe?= aus Th=FCringen",
            "Message-ID: <welle.1@mint.example.org>",
            "X-Empty:",
            "Content-Type: text/plain; charset=iso-8859-1",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            "Sch=F6ne Gr=FC=DFe, eine lange Zeile, weich =",
            "umbrochen: https://umfrage.example.org/t/abc",
            ".",
        ];
        assert_eq!(
            client.line(&message.join("\r\n")),
            "250 2.0.0 Ok: queued as 1"
        );

        let received = &server.messages()[0];
        // Only encoded-words are decoded; the rest of a header stays as written.
        assert_eq!(
            received.header("subject").as_deref(),
            Some("Grüße aus Th=FCringen")
        );
        assert_eq!(
            received.header("message-id").as_deref(),
            Some("<welle.1@mint.example.org>")
        );
        assert_eq!(received.header("x-empty").as_deref(), Some(""));
        assert_eq!(
            received.text_body(),
            "Schöne Grüße, eine lange Zeile, weich umbrochen: https://umfrage.example.org/t/abc\n"
        );
        assert_eq!(received.links(), ["https://umfrage.example.org/t/abc"]);
    }
}
