//! Test harness: the real server on an ephemeral port, and WebSocket clients that speak the
//! real protocol. Every receive has a timeout; silence is asserted by waiting for a bounded
//! time and seeing nothing, never by sleeping and hoping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test harness: a failed expectation is a failed test"
)]

#[cfg(unix)]
pub mod process;
mod store;
pub mod webhook_receiver;

pub use store::{Store, TestDatabase};

use std::net::SocketAddr;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use readyroom_protocol::{
    ClientMessage, Command, CommandId, ErrorCode, Event, EventFrame, ItemView, JoinRequest,
    PROTOCOL_VERSION, Role, RoundView, ServerMessage, Welcome,
};
use serde::Deserialize;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use readyroom_server::Config;

/// How long a test waits for a message that should come.
pub const RECEIVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a test watches for a message that must not come.
pub const SILENCE: Duration = Duration::from_millis(300);

/// Another loopback address (127.0.0.`last`), as another client machine would have.
pub fn loopback(last: u8) -> std::net::IpAddr {
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, last))
}

/// Polls `check` until it holds or `RECEIVE_TIMEOUT` passes: for things the server does on its
/// own schedule (unloading, retention), with a bound on how long to wait.
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + RECEIVE_TIMEOUT;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A running server, stopped when dropped or by [`TestServer::shutdown`].
#[derive(Debug)]
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), readyroom_server::RunError>>>,
    http: reqwest::Client,
}

#[derive(Clone, Debug, Deserialize)]
pub struct RoomCreated {
    pub room_id: String,
    pub facilitator_token: String,
    pub join_url: String,
    pub facilitator_url: String,
    pub ws_url: String,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(Config::default()).await
    }

    /// A server as the binary runs it: storage (and, on PostgreSQL, its node's leases)
    /// opened from `config`.
    pub async fn start_with(config: Config) -> Self {
        Self::serve(|listener, stopped| readyroom_server::run(listener, config, stopped)).await
    }

    /// A server keeping its rooms in `store`.
    pub async fn start_on(store: &Store) -> Self {
        Self::start_with(store.config(Config::default())).await
    }

    /// A server on storage made by the test (e.g. one that fails on demand).
    pub async fn start_with_storage(
        config: Config,
        storage: Option<readyroom_server::storage::Storage>,
    ) -> Self {
        Self::serve(|listener, stopped| {
            readyroom_server::run_with_storage(listener, config, storage, stopped)
        })
        .await
    }

    /// Runs `server` on an ephemeral port until this is shut down or dropped.
    async fn serve<F>(
        server: impl FnOnce(tokio::net::TcpListener, futures::future::BoxFuture<'static, ()>) -> F,
    ) -> Self
    where
        F: Future<Output = Result<(), readyroom_server::RunError>> + Send + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let stopped = Box::pin(async move {
            let _ = stopped.await;
        });
        let task = tokio::spawn(server(listener, stopped));
        Self {
            addr,
            stop: Some(stop),
            task: Some(task),
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// GETs `url` as a holder of `token` would, after checking that it is refused without a
    /// token (401) and with a token of no room (403). Returns the answer.
    pub async fn get_with_token(&self, url: &str, token: &str) -> reqwest::Response {
        let anonymous = self.http().get(url).send().await.expect("request");
        assert_eq!(anonymous.status(), 401, "{url} without a token");
        let stranger = self
            .http()
            .get(url)
            .bearer_auth("0".repeat(32))
            .send()
            .await
            .expect("request");
        assert_eq!(stranger.status(), 403, "{url} with a stranger's token");
        self.http()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// A request to the room's HTTP API (`path` after `/api/rooms/{id}`) with `token`; the
    /// status and the answer as JSON (a body that is not JSON as a JSON string).
    pub async fn call(
        &self,
        room: &RoomCreated,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .http()
            .request(
                method,
                self.url(&format!("/api/rooms/{}{path}", room.room_id)),
            )
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("answer");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// Imports a tracker's CSV file into `room` as its facilitator; the import's report.
    pub async fn import_csv(&self, room: &RoomCreated, csv: &str) -> serde_json::Value {
        let response = self
            .http()
            .post(self.url(&format!("/api/rooms/{}/import/csv", room.room_id)))
            .bearer_auth(&room.facilitator_token)
            .header("content-type", "text/csv")
            .body(csv.to_owned())
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "the import was refused");
        response.json().await.expect("the import's report")
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `GET /healthz`, as JSON.
    pub async fn health(&self) -> serde_json::Value {
        self.http
            .get(self.url("/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Creates a room with the given JSON body.
    pub async fn create_room_with(&self, body: serde_json::Value) -> RoomCreated {
        let response = self
            .http
            .post(self.url("/api/rooms"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "creating a room");
        response.json().await.unwrap()
    }

    pub async fn create_room(&self) -> RoomCreated {
        self.create_room_with(serde_json::json!({ "name": "Sprint 42 refinement" }))
            .await
    }

    /// Opens a WebSocket to a room without joining.
    pub async fn connect(&self, room: &RoomCreated) -> Client {
        self.try_connect(room).await.expect("connecting failed")
    }

    /// Opens a WebSocket to a room, or says why the server refused the upgrade.
    pub async fn try_connect(
        &self,
        room: &RoomCreated,
    ) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        let url = format!("ws://{}/ws/rooms/{}", self.addr, room.room_id);
        let (socket, _) =
            tokio::time::timeout(RECEIVE_TIMEOUT, tokio_tungstenite::connect_async(url))
                .await
                .expect("connecting timed out")?;
        Ok(Client {
            socket,
            next_cmd: 0,
            frames: Vec::new(),
            you: None,
            token: None,
        })
    }

    /// Waits (up to `limit`) until a node serves the room: one that finds its owner gone
    /// refuses the upgrade (503) until the owner's lease runs out and it takes the room over.
    pub async fn connect_when_served(&self, room: &RoomCreated, limit: Duration) -> Client {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            match self.try_connect(room).await {
                Ok(client) => return client,
                Err(error) => assert!(
                    tokio::time::Instant::now() < deadline,
                    "no node served the room within {limit:?}: {error}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// [`Self::rejoin`] once a node serves the room (see [`Self::connect_when_served`]).
    pub async fn rejoin_when_served(
        &self,
        room: &RoomCreated,
        token: &str,
        resume: Option<readyroom_protocol::Resume>,
        limit: Duration,
    ) -> (Client, ServerMessage) {
        let client = self.connect_when_served(room, limit).await;
        client.rejoin(token, resume).await
    }

    /// Opens a WebSocket to a room from another loopback address (127.0.0.2, …), as another
    /// client machine would, with `headers` added to the upgrade request.
    pub async fn connect_from(
        &self,
        source: std::net::IpAddr,
        room: &RoomCreated,
        headers: &[(&str, &str)],
    ) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(source, 0)).unwrap();
        let stream = socket.connect(self.addr).await?;
        let url = format!("ws://{}/ws/rooms/{}", self.addr, room.room_id);
        let mut request = url.into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes())
                    .unwrap(),
                value.parse().unwrap(),
            );
        }
        let (socket, _) = tokio::time::timeout(
            RECEIVE_TIMEOUT,
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream)),
        )
        .await
        .expect("connecting timed out")?;
        Ok(Client {
            socket,
            next_cmd: 0,
            frames: Vec::new(),
            you: None,
            token: None,
        })
    }

    /// Creates a room with requests from another loopback address.
    pub async fn create_room_from(&self, source: std::net::IpAddr, name: &str) -> RoomCreated {
        let response = Self::http_from(source)
            .post(self.url("/api/rooms"))
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "creating a room");
        response.json().await.unwrap()
    }

    /// An HTTP client whose requests come from another loopback address.
    pub fn http_from(source: std::net::IpAddr) -> reqwest::Client {
        reqwest::Client::builder()
            .local_address(source)
            .timeout(RECEIVE_TIMEOUT)
            .build()
            .unwrap()
    }

    /// Opens a WebSocket whose socket has a small receive buffer, as a client on a poor link
    /// would: what it does not read backs up quickly.
    pub async fn connect_with_small_buffer(&self, room: &RoomCreated) -> Client {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let stream = socket.connect(self.addr).await.unwrap();
        let url = format!("ws://{}/ws/rooms/{}", self.addr, room.room_id);
        let (socket, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream))
            .await
            .unwrap();
        Client {
            socket,
            next_cmd: 0,
            frames: Vec::new(),
            you: None,
            token: None,
        }
    }

    /// Opens a WebSocket and joins with a new participant.
    pub async fn join(&self, room: &RoomCreated, name: &str, role: Role) -> (Client, Welcome) {
        let mut client = self.connect(room).await;
        let welcome = client.join(name, role, None).await;
        (client, welcome)
    }

    /// Opens a WebSocket and joins as the participant `token` belongs to, resuming from
    /// `resume` if given. Returns the client and the raw reply (`welcome`, `resumed` or `error`).
    pub async fn rejoin(
        &self,
        room: &RoomCreated,
        token: &str,
        resume: Option<readyroom_protocol::Resume>,
    ) -> (Client, ServerMessage) {
        self.connect(room).await.rejoin(token, resume).await
    }

    /// Opens a WebSocket and joins as the facilitator.
    pub async fn join_facilitator(&self, room: &RoomCreated, name: &str) -> (Client, Welcome) {
        let mut client = self.connect(room).await;
        let welcome = client
            .join(name, Role::Voter, Some(&room.facilitator_token))
            .await;
        (client, welcome)
    }

    /// A handle to a server running elsewhere (e.g. the real binary in a child process): HTTP
    /// and WebSocket helpers work as for one started here; dropping it stops nothing.
    pub fn external(addr: SocketAddr) -> Self {
        Self {
            addr,
            stop: None,
            task: None,
            http: reqwest::Client::new(),
        }
    }

    /// A server keeping its rooms in `dir`.
    pub async fn start_in(dir: &std::path::Path) -> Self {
        Self::start_with(Config {
            data_dir: Some(dir.to_owned()),
            ..Config::default()
        })
        .await
    }

    /// Triggers graceful shutdown and waits for `run` to return.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(RECEIVE_TIMEOUT, task)
                .await
                .expect("server did not stop in time")
                .unwrap()
                .unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A protocol client over a real WebSocket.
#[derive(Debug)]
pub struct Client {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_cmd: CommandId,
    /// Every text frame received, verbatim, for wire-level assertions.
    pub frames: Vec<String>,
    pub you: Option<readyroom_protocol::ParticipantId>,
    pub token: Option<String>,
}

/// What a command brought back: the events that arrived before its reply, and the reply.
#[derive(Debug)]
pub struct Exchange {
    pub events: Vec<EventFrame>,
    pub reply: ServerMessage,
}

impl Exchange {
    /// Asserts an ack and returns its seq.
    pub fn acked(&self) -> Option<u64> {
        match &self.reply {
            ServerMessage::Ack { seq, .. } => *seq,
            other => panic!("expected an ack, got {other:?}"),
        }
    }

    /// The first of the events that `pick` accepts; panics if there is none.
    pub fn find<T>(&self, pick: impl Fn(&Event) -> Option<T>) -> T {
        self.events
            .iter()
            .find_map(|frame| pick(&frame.event))
            .unwrap_or_else(|| panic!("no such event among {:?}", self.events))
    }

    /// The item this exchange created.
    pub fn created_item(&self) -> ItemView {
        self.find(|event| match event {
            Event::ItemCreated { item } => Some((**item).clone()),
            _ => None,
        })
    }

    /// The round this exchange started.
    pub fn started_round(&self) -> RoundView {
        self.find(|event| match event {
            Event::RoundStarted { round } => Some((**round).clone()),
            _ => None,
        })
    }

    /// Asserts an error with the given code.
    pub fn refused(&self, code: ErrorCode) {
        match &self.reply {
            ServerMessage::Error { code: got, .. } => assert_eq!(*got, code, "{:?}", self.reply),
            other => panic!("expected error {code:?}, got {other:?}"),
        }
    }
}

impl Client {
    /// Joins as the participant `token` belongs to, resuming from `resume` if given. Returns
    /// the client and the raw reply (`welcome`, `resumed` or `error`).
    pub async fn rejoin(
        mut self,
        token: &str,
        resume: Option<readyroom_protocol::Resume>,
    ) -> (Self, ServerMessage) {
        let request = JoinRequest {
            resume,
            ..rejoin_request(token)
        };
        let reply = self.request(Command::Join(request)).await.reply;
        match &reply {
            ServerMessage::Welcome(welcome) => {
                self.you = Some(welcome.you);
                self.next_cmd = welcome.last_cmd;
            }
            ServerMessage::Resumed(resumed) => {
                self.you = Some(resumed.you);
                self.next_cmd = resumed.last_cmd;
            }
            _ => {}
        }
        self.token = Some(token.to_owned());
        (self, reply)
    }

    pub async fn send_text(&mut self, text: impl Into<String>) {
        self.socket.send(Message::text(text.into())).await.unwrap();
    }

    pub async fn send_message(&mut self, message: Message) {
        self.socket.send(message).await.unwrap();
    }

    /// Sends a frame to a server that may have cut the connection.
    pub async fn try_send_message(
        &mut self,
        message: Message,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        self.socket.send(message).await
    }

    /// Sends a command under the next command id and returns that id.
    pub async fn send(&mut self, command: Command) -> CommandId {
        self.next_cmd += 1;
        let cmd = self.next_cmd;
        self.send_with_id(cmd, command).await;
        cmd
    }

    /// Sends a command under a given id (for resends).
    pub async fn send_with_id(&mut self, cmd: CommandId, command: Command) {
        let text = serde_json::to_string(&ClientMessage { cmd, command }).unwrap();
        self.send_text(text).await;
    }

    /// Sends a command under a given id; an error instead of a panic if the socket is gone
    /// (for tests where the server may die at any moment).
    pub async fn try_send_with_id(
        &mut self,
        cmd: CommandId,
        command: Command,
    ) -> Result<(), tokio_tungstenite::tungstenite::Error> {
        let text = serde_json::to_string(&ClientMessage { cmd, command }).unwrap();
        self.socket.send(Message::text(text)).await
    }

    /// The next message if one arrives within `wait` (`Ok(None)` if not), or `Err` with a
    /// description once the connection has ended: closed, reset, or failed.
    pub async fn try_recv_within(
        &mut self,
        wait: Duration,
    ) -> Result<Option<ServerMessage>, String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(frame) = tokio::time::timeout_at(deadline, self.socket.next()).await else {
                return Ok(None);
            };
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str().to_owned();
                    let message = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("server sent an unparseable frame {text}: {e}"));
                    self.frames.push(text);
                    return Ok(Some(message));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(frame))) => return Err(format!("closed: {frame:?}")),
                Some(Ok(Message::Binary(_))) => panic!("the server sent a binary frame"),
                Some(Err(error)) => return Err(format!("socket failed: {error}")),
                None => return Err("socket ended".to_owned()),
            }
        }
    }

    /// The next message, or a panic after [`RECEIVE_TIMEOUT`].
    pub async fn recv(&mut self) -> ServerMessage {
        match self.recv_within(RECEIVE_TIMEOUT).await {
            Some(message) => message,
            None => panic!("no message within {RECEIVE_TIMEOUT:?}"),
        }
    }

    /// The next message if one arrives within `wait`.
    pub async fn recv_within(&mut self, wait: Duration) -> Option<ServerMessage> {
        // One deadline for the whole wait: pings must not extend it.
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .ok()?;
            match frame {
                Some(Ok(Message::Text(text))) => {
                    let text = text.as_str().to_owned();
                    let message = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("server sent an unparseable frame {text}: {e}"));
                    self.frames.push(text);
                    return Some(message);
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(other)) => panic!("expected a text frame, got {other:?}"),
                Some(Err(error)) => panic!("socket failed: {error}"),
                None => panic!("socket closed"),
            }
        }
    }

    /// Asserts that nothing arrives for [`SILENCE`].
    pub async fn expect_silence(&mut self) {
        if let Some(message) = self.recv_within(SILENCE).await {
            panic!("expected silence, got {message:?}");
        }
    }

    /// The next event, skipping nothing: anything else is a failure.
    pub async fn event(&mut self) -> EventFrame {
        match self.recv().await {
            ServerMessage::Event(frame) => *frame,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Events until one matches `pred`; returns it.
    pub async fn event_where(&mut self, mut pred: impl FnMut(&EventFrame) -> bool) -> EventFrame {
        loop {
            let event = self.event().await;
            if pred(&event) {
                return event;
            }
        }
    }

    /// Events until (and including) the one with sequence number `seq`.
    pub async fn events_until(&mut self, seq: u64) -> Vec<EventFrame> {
        let mut events = Vec::new();
        while events.last().is_none_or(|e: &EventFrame| e.seq < seq) {
            events.push(self.event().await);
        }
        events
    }

    /// Sends a command and collects everything up to and including its reply.
    pub async fn request(&mut self, command: Command) -> Exchange {
        let cmd = self.send(command).await;
        self.collect_reply(cmd).await
    }

    /// Collects messages until the reply to `cmd`.
    pub async fn collect_reply(&mut self, cmd: CommandId) -> Exchange {
        let mut events = Vec::new();
        loop {
            match self.recv().await {
                ServerMessage::Event(frame) => events.push(*frame),
                reply @ (ServerMessage::Ack { cmd: c, .. }
                | ServerMessage::Pong { cmd: c }
                | ServerMessage::Error { cmd: Some(c), .. })
                    if c == cmd =>
                {
                    return Exchange { events, reply };
                }
                ServerMessage::Welcome(welcome) if welcome.cmd == cmd => {
                    return Exchange {
                        events,
                        reply: ServerMessage::Welcome(welcome),
                    };
                }
                ServerMessage::Resumed(resumed) if resumed.cmd == cmd => {
                    return Exchange {
                        events,
                        reply: ServerMessage::Resumed(resumed),
                    };
                }
                other => panic!("unexpected message while waiting for reply to {cmd}: {other:?}"),
            }
        }
    }

    /// Skips everything (events, replies to other pipelined commands) until the reply to `cmd`.
    pub async fn reply_to(&mut self, cmd: CommandId) -> ServerMessage {
        loop {
            match self.recv().await {
                reply @ (ServerMessage::Ack { cmd: c, .. }
                | ServerMessage::Pong { cmd: c }
                | ServerMessage::Error { cmd: Some(c), .. })
                    if c == cmd =>
                {
                    return reply;
                }
                _ => {}
            }
        }
    }

    /// Creates an item with just a title and returns it.
    pub async fn create_item(&mut self, title: &str) -> ItemView {
        self.request(new_item(title)).await.created_item()
    }

    /// Starts a round on an item with the room's default deck (as facilitator) and returns it.
    pub async fn start_round(&mut self, item_id: readyroom_protocol::ItemId) -> RoundView {
        self.request_round(item_id).await.started_round()
    }

    /// Asks to start a round on an item with the room's default deck; returns the whole
    /// exchange (the reply's seq, the events, or a refusal).
    pub async fn request_round(&mut self, item_id: readyroom_protocol::ItemId) -> Exchange {
        self.request(Command::StartRound {
            item_id,
            deck: None,
            dimension: None,
            timebox_seconds: None,
        })
        .await
    }

    /// Plays a card; asserts the ack and returns its seq.
    pub async fn vote(&mut self, round_id: readyroom_protocol::RoundId, card: &str) -> Option<u64> {
        self.request(Command::Vote {
            round_id,
            card: card.to_owned(),
            confidence: None,
        })
        .await
        .acked()
    }

    /// Reveals the round and accepts `estimate` for its item (as the facilitator).
    pub async fn reveal_and_accept(
        &mut self,
        round_id: readyroom_protocol::RoundId,
        estimate: &str,
    ) {
        self.request(Command::Reveal { round_id }).await.acked();
        self.request(Command::AcceptEstimate {
            round_id,
            estimate: estimate.to_owned(),
        })
        .await
        .acked();
    }

    /// Joins; panics unless welcomed.
    pub async fn join(
        &mut self,
        name: &str,
        role: Role,
        facilitator_token: Option<&str>,
    ) -> Welcome {
        self.join_with(join_request(name, role, facilitator_token))
            .await
    }

    pub async fn join_with(&mut self, request: JoinRequest) -> Welcome {
        let exchange = self.request(Command::Join(request)).await;
        match exchange.reply {
            ServerMessage::Welcome(welcome) => {
                self.you = Some(welcome.you);
                self.token = Some(welcome.participant_token.clone());
                self.next_cmd = self.next_cmd.max(welcome.last_cmd);
                *welcome
            }
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    /// Waits (at most [`RECEIVE_TIMEOUT`] in all) for the server to close the socket and returns
    /// the close frame, or `None` if the connection ended without one.
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        let deadline = tokio::time::Instant::now() + RECEIVE_TIMEOUT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .expect("the server did not close the connection in time");
            match frame {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(Message::Text(text))) => self.frames.push(text.as_str().to_owned()),
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Writes the header of a masked text frame announcing `len` bytes, and no payload.
    pub async fn send_raw_frame_header(&mut self, len: u64) {
        let mut header = vec![0x81, 0x80 | 127];
        header.extend_from_slice(&len.to_be_bytes());
        header.extend_from_slice(&[0, 0, 0, 0]);
        self.send_raw(&header).await;
    }

    /// Writes a whole text frame whose payload is `payload` as it is (e.g. not UTF-8), with a
    /// zero mask.
    pub async fn send_raw_text_frame(&mut self, payload: &[u8]) {
        let len = u8::try_from(payload.len()).expect("a short payload");
        assert!(len < 126, "a short payload");
        let mut frame = vec![0x81, 0x80 | len, 0, 0, 0, 0];
        frame.extend_from_slice(payload);
        self.send_raw(&frame).await;
    }

    async fn send_raw(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        let MaybeTlsStream::Plain(stream) = self.socket.get_mut() else {
            panic!("a test client speaks plain TCP");
        };
        stream.write_all(bytes).await.unwrap();
        stream.flush().await.unwrap();
    }

    /// Stops reading and writing without a close handshake, as a vanished client would.
    pub fn vanish(self) {
        drop(self);
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// A `create_item` command with just a title.
pub fn new_item(title: &str) -> Command {
    Command::CreateItem(readyroom_protocol::NewItem {
        title: title.to_owned(),
        ..Default::default()
    })
}

/// A join as a new participant.
pub fn join_request(name: &str, role: Role, facilitator_token: Option<&str>) -> JoinRequest {
    JoinRequest {
        protocol: PROTOCOL_VERSION,
        name: name.to_owned(),
        role,
        facilitator_token: facilitator_token.map(str::to_owned),
        participant_token: None,
        resume: None,
    }
}

/// A join that comes back as the participant a token belongs to.
pub fn rejoin_request(participant_token: &str) -> JoinRequest {
    JoinRequest {
        participant_token: Some(participant_token.to_owned()),
        ..join_request("", Role::Voter, None)
    }
}

/// A client's copy of the backlog, built only from a snapshot and the events that follow, the
/// way a real client keeps its view.
#[derive(Debug, Default, Clone)]
pub struct Mirror {
    pub seq: u64,
    pub items: std::collections::HashMap<readyroom_protocol::ItemId, ItemView>,
}

impl Mirror {
    pub fn from_snapshot(snapshot: &readyroom_protocol::RoomSnapshot) -> Self {
        Self {
            seq: snapshot.seq,
            items: snapshot.items.iter().map(|i| (i.id, i.clone())).collect(),
        }
    }

    /// Applies one event; panics on a gap in the sequence.
    pub fn apply(&mut self, frame: &EventFrame) {
        assert_eq!(frame.seq, self.seq + 1, "sequence gap");
        self.seq = frame.seq;
        match &frame.event {
            Event::ItemCreated { item } => {
                self.items.insert(item.id, (**item).clone());
            }
            Event::ItemSplit { item_id, parts } => {
                if let Some(original) = self.items.get_mut(item_id) {
                    original.split_into = parts.iter().map(|part| part.id).collect();
                }
                for part in parts {
                    self.items.insert(part.id, part.clone());
                }
            }
            Event::CriterionChecked {
                item_id,
                criterion,
                checked,
            } => {
                if let Some(item) = self.items.get_mut(item_id) {
                    item.set_checked(*criterion, *checked);
                }
            }
            Event::ReadyOverridden {
                item_id,
                ready_override,
            } => {
                if let Some(item) = self.items.get_mut(item_id) {
                    item.ready_override = *ready_override;
                }
            }
            Event::ItemDeleted { item_id } => {
                self.items.remove(item_id);
                for item in self.items.values_mut() {
                    item.forget_link(*item_id);
                }
            }
            Event::ItemRestored { item } => {
                for other in self.items.values_mut() {
                    other.recall_link(item);
                }
                self.items.insert(item.id, (**item).clone());
            }
            Event::ItemMoved { item_id, rank } => {
                if let Some(item) = self.items.get_mut(item_id) {
                    item.rank.clone_from(rank);
                }
            }
            Event::ItemsReranked { ranks } => {
                for r in ranks {
                    if let Some(item) = self.items.get_mut(&r.item_id) {
                        item.rank.clone_from(&r.rank);
                    }
                }
            }
            Event::ItemUpdated { item_id, change } => {
                if let Some(item) = self.items.get_mut(item_id) {
                    change.apply_to(item);
                }
            }
            Event::TextEdited {
                item_id,
                field,
                revision,
                op,
                ..
            } => {
                if let Some(item) = self.items.get_mut(item_id) {
                    item.apply_text_edit(*field, *revision, op)
                        .expect("a text edit that does not fit this copy");
                }
            }
            _ => {}
        }
    }

    /// Items in backlog order: by rank, compared bytewise.
    pub fn ordered(&self) -> Vec<ItemView> {
        let mut items: Vec<ItemView> = self.items.values().cloned().collect();
        items.sort_by(|a, b| a.rank.as_bytes().cmp(b.rank.as_bytes()));
        items
    }

    /// The parts of the backlog that concurrent edits touch: order and text fields.
    pub fn summary(&self) -> Vec<(readyroom_protocol::ItemId, String, String, Vec<String>)> {
        self.ordered()
            .into_iter()
            .map(|i| (i.id, i.title, i.description, i.labels))
            .collect()
    }
}
