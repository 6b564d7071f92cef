// The playground page. Every text from the bot or a person is inserted with textContent:
// nothing shown here is ever parsed as HTML.
"use strict";

const view = { data: null, reader: null, staff: null, errors: [] };
const topicViews = new Map();

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function post(path, body) {
  try {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      showError(answer.error || response.statusText);
    }
  } catch (error) {
    showError(String(error));
  }
}

function showError(text) {
  view.errors.push(text);
  view.errors = view.errors.slice(-5);
  renderNotices();
}

function nearBottom(box) {
  return box.scrollHeight - box.scrollTop - box.clientHeight < 60;
}

function renderMessages(box, messages, onPress) {
  const stick = nearBottom(box);
  box.replaceChildren(...messages.map((m) => messageNode(m, onPress)));
  if (stick) box.scrollTop = box.scrollHeight;
}

function messageNode(message, onPress) {
  const node = el("div", "msg " + (message.side || "out"));
  node.dataset.id = String(message.id);
  if (message.deleted) node.classList.add("deleted");
  node.append(el("div", "author", message.author || (message.side === "in" ? "" : "bot")));
  node.append(el("div", "text", message.text || ""));
  if (message.files && message.files.length) node.append(el("div", "files", "📎 " + message.files.join(", ")));
  if (message.options && message.options.length) {
    const list = el("ul", "poll");
    for (const option of message.options) list.append(el("li", "", option));
    node.append(list);
  }
  const meta = [];
  if (message.edited) meta.push("edited");
  if (message.deleted) meta.push("deleted");
  if (message.reply_to) meta.push("reply to #" + message.reply_to);
  if (meta.length) node.append(el("div", "meta", meta.join(" · ")));
  if (message.buttons && message.buttons.length && !message.deleted) {
    node.append(buttonRows("buttons", message.buttons, (row, column) => onPress && onPress(message.id, row, column)));
  }
  return node;
}

function buttonRows(className, rows, press) {
  const box = el("div", className);
  rows.forEach((labels, row) => {
    const line = el("div", "row");
    labels.forEach((shown, column) => {
      const button = el("button", "", shown.label);
      button.type = "button";
      if (shown.data !== null && shown.data !== undefined) {
        button.title = shown.data;
        button.dataset.payload = shown.data;
      }
      button.addEventListener("click", () => press(row, column));
      line.append(button);
    });
    box.append(line);
  });
  return box;
}

function tabs(container, people, selected, choose) {
  // Redrawn only when something changed, so that a click never lands on a replaced button.
  const signature = JSON.stringify([people, selected]);
  if (container.dataset.signature === signature) return;
  container.dataset.signature = signature;
  container.replaceChildren(
    ...people.map((person) => {
      const platform = person.platform === "telegram" ? "Telegram" : "VK";
      const button = el("button", person.key === selected ? "active" : "", `${platform} · ${person.name} (${person.language})`);
      button.type = "button";
      button.dataset.key = person.key;
      button.addEventListener("click", () => choose(person.key));
      return button;
    }),
  );
}

function currentReader() {
  return view.data.people.readers.find((p) => p.key === view.reader);
}

function renderReader() {
  const data = view.data;
  tabs(document.getElementById("reader-tabs"), data.people.readers, view.reader, (key) => {
    view.reader = key;
    renderReader();
  });
  const reader = currentReader();
  document.getElementById("reader-pane").className = "pane " + reader.platform;
  const chat = data.readers[view.reader];
  const press = (message, row, column) => post(`/api/reader/${view.reader}/press`, { message, row, column });
  renderMessages(document.getElementById("reader-messages"), chat.messages, press);
  document.getElementById("reader-pop-up").textContent = chat.pop_up ? "🔔 " + chat.pop_up : "";
  const keyboard = document.getElementById("reader-keyboard");
  keyboard.replaceChildren();
  if (chat.keyboard && chat.keyboard.rows.length) {
    keyboard.append(buttonRows("keyboard", chat.keyboard.rows, (row, column) => press(chat.keyboard.message, row, column)));
  }
}

function topicView(thread, title) {
  let topic = topicViews.get(thread);
  if (topic) return topic;
  const section = el("section", "topic");
  section.dataset.thread = thread === null ? "general" : String(thread);
  const heading = el("h3", "", title);
  const messages = el("div", "messages");
  const form = el("form", "compose");
  const input = el("input");
  input.type = "text";
  input.placeholder = thread === null ? "Message or command (/queue)" : "Answer, or !note";
  const send = el("button", "send", "Send");
  send.type = "submit";
  form.append(input, send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text) return;
    input.value = "";
    post(`/api/staff/${view.staff}/write`, { text, thread });
  });
  section.append(heading, messages, form);
  topic = { section, heading, messages };
  topicViews.set(thread, topic);
  return topic;
}

function renderStaff() {
  const data = view.data;
  tabs(document.getElementById("staff-tabs"), data.people.staff, view.staff, (key) => {
    view.staff = key;
    renderStaff();
  });
  const press = (message, row, column) => post(`/api/staff/${view.staff}/press`, { message, row, column });
  const popUp = data.staff.pop_ups[view.staff];
  document.getElementById("staff-pop-up").textContent = popUp ? "🔔 " + popUp : "";
  const byThread = new Map([[null, []]]);
  for (const topic of data.staff.topics) byThread.set(topic.thread, []);
  for (const message of data.staff.messages) {
    const thread = byThread.has(message.thread ?? null) ? message.thread ?? null : null;
    byThread.get(thread).push(message);
  }
  const sections = [];
  const general = topicView(null, "General");
  renderMessages(general.messages, byThread.get(null), press);
  for (const topic of [...data.staff.topics].reverse()) {
    const shown = topicView(topic.thread, "");
    shown.heading.textContent = `#${topic.thread} ${topic.name}` + (topic.closed ? " (closed)" : "");
    shown.section.classList.toggle("closed", topic.closed);
    renderMessages(shown.messages, byThread.get(topic.thread), press);
    sections.push(shown.section);
  }
  sections.push(general.section);
  document.getElementById("staff-topics").replaceChildren(...sections);
}

function renderPosts() {
  const data = view.data;
  renderMessages(document.getElementById("channel"), data.channel, null);
  const wall = data.wall.map((post) => ({ id: post.id, side: "out", author: "wall", text: post.text, files: post.files }));
  const polls = data.polls.map((poll) => ({ id: poll.id, side: "out", author: "poll", text: poll.question, options: poll.answers }));
  renderMessages(document.getElementById("wall"), wall.concat(polls), null);
}

function renderNotices() {
  const list = document.getElementById("notices");
  const items = (view.data ? view.data.notices.slice(-5) : []).map((text) => el("li", "", text));
  for (const error of view.errors) items.push(el("li", "error", error));
  list.replaceChildren(...items);
}

function renderControls() {
  const data = view.data;
  document.getElementById("clock").textContent = data.now;
  const select = document.getElementById("ils-select");
  if (select.options.length !== data.ils.choices.length) {
    select.replaceChildren(...data.ils.choices.map((choice) => {
      const option = el("option", "", choice);
      option.value = choice;
      return option;
    }));
  }
  select.value = data.ils.current;
}

function render() {
  if (!view.data) return;
  view.reader = view.reader || view.data.people.readers[0].key;
  view.staff = view.staff || view.data.people.staff[0].key;
  renderControls();
  renderReader();
  renderStaff();
  renderPosts();
  renderNotices();
}

function wire() {
  document.getElementById("reader-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = document.getElementById("reader-input");
    const attachment = document.getElementById("reader-attachment");
    if (!input.value && !attachment.value) return;
    post(`/api/reader/${view.reader}/write`, { text: input.value, attachment: attachment.value || null });
    input.value = "";
    attachment.value = "";
  });
  document.getElementById("reader-start").addEventListener("click", () => post(`/api/reader/${view.reader}/start`));
  const controls = { "load-arrivals": "arrivals", "run-digest": "digest", "run-reminders": "reminders", "advance-day": "advance" };
  for (const [id, action] of Object.entries(controls)) {
    document.getElementById(id).addEventListener("click", () => post(`/api/control/${action}`));
  }
  document.getElementById("ils-select").addEventListener("change", (event) => post("/api/control/ils", { backend: event.target.value }));
  const events = new EventSource("/events");
  const connection = document.getElementById("connection");
  events.onopen = () => { connection.textContent = "live"; };
  events.onerror = () => { connection.textContent = "reconnecting…"; };
  events.onmessage = (event) => {
    view.data = JSON.parse(event.data);
    render();
  };
}

wire();
