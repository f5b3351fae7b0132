// The sandbox page: shows the local Slack as the chosen person sees it, and turns what they
// type and click into what a Slack client sends (through /sandbox/*). Plain JavaScript.
"use strict";

const $ = (id) => document.getElementById(id);
const view = {
  user: localStorage.getItem("sandbox.user") || "U0ALICE01",
  channel: null,
  thread: null,
  data: null,
  modalKey: null,
};
const COLORS = ["#e8912d", "#2bac76", "#1264a3", "#9b51e0", "#e01e5a", "#4a154b"];
const EMOJI = {
  white_check_mark: "✅", rotating_light: "🚨", raising_hand: "🙋", warning: "⚠️",
  hourglass_flowing_sand: "⏳", arrows_counterclockwise: "🔄", white_circle: "⚪", tada: "🎉",
  "star-struck": "🤩", slightly_smiling_face: "🙂", slightly_frowning_face: "🙁", red_circle: "🔴",
  neutral_face: "😐", large_orange_circle: "🟠", large_blue_circle: "🔵", disappointed: "😞",
  clock3: "🕒", wave: "👋", memo: "📝", bell: "🔔", inbox_tray: "📥", bar_chart: "📊", ballot_box_with_check: "☑️", no_entry: "⛔",
  lock: "🔒", card_index_dividers: "🗂️", hourglass: "⌛", speech_balloon: "💬", zzz: "💤",
  palm_tree: "🌴", arrow_right: "➡️", mega: "📣", ticket: "🎫", question: "❓",
};

// -- talking to the sandbox ---------------------------------------------------------------
// Every call carries the token this page was served with: the sandbox answers nothing else.
const TOKEN = document.querySelector('meta[name="sandbox-token"]').content;

async function post(path, body) {
  const response = await fetch(`/sandbox/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Sandbox-Token": TOKEN },
    body: JSON.stringify({ user: view.user, ...body }),
  });
  if (response.status === 403) { location.reload(); return {}; }  // restarted: a new token
  let answer = {};
  try { answer = await response.json(); } catch (e) { answer = { problem: `The sandbox answered ${response.status}.` }; }
  if (answer.problem) toast(answer.problem);
  refresh();
  return answer;
}

let refreshing = null;
let again = false;
async function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    do {
      again = false;
      const asked = { user: view.user, channel: view.channel, thread: view.thread };
      const query = new URLSearchParams({ user: asked.user, channel: asked.channel || "", thread: asked.thread || "" });
      try {
        const response = await fetch(`/sandbox/state?${query}`, { headers: { "X-Sandbox-Token": TOKEN } });
        if (response.status === 403) { location.reload(); return; }  // restarted: a new token
        // A person or conversation chosen while this was on its way makes the answer stale: drawing
        // it would put the old conversation back and lose the click. Ask again instead.
        const data = response.ok ? await response.json() : null;  // (read first: reading waits too)
        const moved = view.user !== asked.user || view.channel !== asked.channel || view.thread !== asked.thread;
        if (moved) again = true;
        else if (data) { view.data = data; render(); }
      } catch (e) { /* the sandbox is restarting: the next event brings it back */ }
    } while (again);
    refreshing = null;
  })();
  return refreshing;
}

function listen() {
  const events = new EventSource(`/sandbox/events?token=${encodeURIComponent(TOKEN)}`);
  events.onmessage = () => refresh();
  events.onerror = () => { events.close(); setTimeout(() => { refresh(); listen(); }, 1000); };
}

let toastTimer = null;
function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
}

// -- mrkdwn -------------------------------------------------------------------------------
const escapeHtml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const unescapeSlack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

function personName(id) {
  const person = (view.data?.people || []).find((p) => p.id === id);
  return person ? person.real_name : id;
}

// The language of the person whose view is on screen: Slack's client writes its own words
// (day dividers, "(edited)", "Reply in thread"…) in the reader's language.
function language() {
  const me = (view.data?.people || []).find((p) => p.id === (view.data?.me || view.user));
  return me?.language || "en";
}

// Slack's own words on the page, in Chinese for a Chinese reader; English otherwise. (The
// sandbox's own panels, its guidance and the bot's traffic stay English: they are not Slack's.)
const SLACK_WORDS = {
  "zh-CN": {
    "APP": "应用",
    "👁 Only visible to you": "👁 仅你可见",
    "replied to a thread": "回复了消息列",
    "Reply in thread": "在消息列中回复",
    "{n} reply": "{n} 条回复",
    "{n} replies": "{n} 条回复",
    "What it says is as of this time": "内容以此时间为准",
    "Home": "主页",
    "Message {name}": "发送消息至 {name}",
    "Send": "发送",
    "Thread": "消息列",
    "Close thread": "关闭消息列",
    "Reply…": "回复…",
    "Reply": "回复",
    "Close": "关闭",
    "Cancel": "取消",
    "Choose…": "请选择…",
  },
};
const say = (english, values = {}) => ((SLACK_WORDS[language()] || {})[english] || english)
  .replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));

// Days and times the desk's one way (bot/slack/when.py), in the reader's language (dates.js):
// a day "Mon 7 Dec" (12月7日周一), a time "09:05", a moment "Mon 7 Dec, 09:05"; this machine's zone.
const dateOf = (epoch) => new Date(Number(epoch) * 1000);
const clockTime = (epoch) => SLACK_DATE.time(epoch);
const dayOf = (epoch) => SLACK_DATE.day(epoch, language());
const momentOf = (epoch) => SLACK_DATE.moment(epoch, language());

// A date token `<!date^EPOCH^FORMAT^link|fallback>`, as Slack draws it for the person chosen:
// FORMAT followed in their language (dates.js), "today" as of the sandbox's clock. The
// fallback (what notifications show) is the title.
function slackDate(parts, fallback) {
  const [, epoch, format, link] = parts;
  if (isNaN(dateOf(epoch)) || !format) return escapeHtml(fallback);
  const now = view.data?.clock?.now ? Date.parse(view.data.clock.now) / 1000 : Date.now() / 1000;
  const shown = escapeHtml(SLACK_DATE.text(epoch, unescapeSlack(format), language(), now));
  const words = /^(https?|mailto):/.test(link || "")
    ? `<a href="${escapeHtml(unescapeSlack(link))}" target="_blank" rel="noopener">${shown}</a>`
    : shown;
  return `<span class="date" title="${escapeHtml(fallback)}">${words}</span>`;
}

function token(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) return `<span class="mention">@${escapeHtml(personName(target.slice(1)))}</span>`;
  if (target.startsWith("#")) {
    const channel = (view.data?.conversations || []).find((c) => c.id === target.slice(1));
    return `<span class="mention">#${escapeHtml(label || (channel ? channel.name : target.slice(1)))}</span>`;
  }
  if (target.startsWith("!date^")) return slackDate(target.split("^"), unescapeSlack(label || ""));
  if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  // a permalink into this workspace (a reply's carries its thread): opens the conversation here
  const archived = /\/archives\/([A-Z0-9]+)\/p(\d+)(?:\?thread_ts=([\d.]+)(?:&amp;|&)cid=[A-Z0-9]+)?$/.exec(target);
  if (archived) {
    const thread = archived[3] ? ` data-thread="${escapeHtml(archived[3])}"` : "";
    return `<a href="#" class="permalink" data-channel="${escapeHtml(archived[1])}"${thread}>${escapeHtml(unescapeSlack(label || target))}</a>`;
  }
  if (/^(https?|mailto):/.test(target)) {
    return `<a href="${escapeHtml(unescapeSlack(target))}" target="_blank" rel="noopener">${escapeHtml(unescapeSlack(label || target))}</a>`;
  }
  return escapeHtml(`<${unescapeSlack(inner)}>`);
}

function mrkdwn(source) {
  const kept = [];
  const keep = (htmlText) => { kept.push(htmlText); return `\u0000${kept.length - 1}\u0000`; };
  let text = source.replace(/<([^<>\n]+)>/g, (_, inner) => keep(token(inner)));
  text = escapeHtml(unescapeSlack(text));
  text = text.replace(/```([\s\S]*?)```/g, (_, code) => keep(`<pre>${code}</pre>`));
  text = text.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${code}</code>`));
  text = text.replace(/(^|[\s(\u0000>])\*([^*\n]+)\*(?=$|[\s.,;:!?)\u0000<])/gm, "$1<b>$2</b>");
  text = text.replace(/(^|[\s(\u0000>])_([^_\n]+)_(?=$|[\s.,;:!?)\u0000<])/gm, "$1<i>$2</i>");
  text = text.replace(/(^|[\s(\u0000>])~([^~\n]+)~(?=$|[\s.,;:!?)\u0000<])/gm, "$1<s>$2</s>");
  text = text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
  text = text.replace(/^&gt; ?(.*)$/gm, "<blockquote>$1</blockquote>");
  text = text.replace(/\n/g, "<br>").replace(/<\/blockquote><br>/g, "</blockquote>");
  while (/\u0000\d+\u0000/.test(text)) text = text.replace(/\u0000(\d+)\u0000/g, (_, i) => kept[Number(i)]);
  return text;
}

function textObject(obj) {
  if (!obj) return "";
  if (obj.type === "mrkdwn") return mrkdwn(obj.text || "");
  const plain = escapeHtml(obj.text || "");
  return obj.emoji === false ? plain : plain.replace(/:([a-z0-9_+-]+):/g, (w, n) => EMOJI[n] || w);
}

function el(tag, className, html) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
}

// -- Block Kit ----------------------------------------------------------------------------
// `where` says what a click acts on: a message ({channel, ts}) or a modal ({modal: true}).
function renderElement(element, where) {
  if (element.type === "button") {
    const button = el("button", `btn ${element.style || ""}`, textObject(element.text));
    button.type = "button";
    button.dataset.actionId = element.action_id;
    if (element.url) {
      button.onclick = () => window.open(element.url, "_blank", "noopener");
      return button;
    }
    button.onclick = async () => {
      if (element.confirm && !window.confirm(unescapeSlack(element.confirm.text?.text || "Are you sure?"))) return;
      if (!where.ts) return;
      button.disabled = true;
      await post("click", { channel: where.channel, ts: where.ts, action_id: element.action_id, value: element.value });
      button.disabled = false;
    };
    return button;
  }
  if (element.type === "static_select") {
    const select = el("select");
    select.dataset.actionId = element.action_id;
    const prompt = el("option", "", textObject(element.placeholder) || say("Choose…"));
    prompt.value = "";
    select.append(prompt);
    const choices = (parent, options) => {
      for (const option of options || []) {
        const choice = el("option", "", textObject(option.text));
        choice.value = option.value;
        parent.append(choice);
      }
    };
    choices(select, element.options);
    for (const group of element.option_groups || []) {
      const optgroup = el("optgroup");
      optgroup.label = textObject(group.label);
      choices(optgroup, group.options);
      select.append(optgroup);
    }
    if (element.initial_option) select.value = element.initial_option.value;
    if (where.ts) {
      select.onchange = () => {
        if (select.value) post("click", { channel: where.channel, ts: where.ts, action_id: element.action_id, value: select.value });
      };
    }
    return select;
  }
  if (element.type === "image") {
    const image = el("img");
    image.src = element.image_url;
    image.alt = element.alt_text || "";
    image.width = 20;
    return image;
  }
  if (element.type === "mrkdwn" || element.type === "plain_text") return el("span", "mrkdwn", textObject(element));
  return el("span", "mrkdwn", `<i>(${escapeHtml(element.type)})</i>`);
}

function renderInput(block, errors) {
  const box = el("div", "input");
  const element = block.element || {};
  const id = `in-${block.block_id}`;
  const label = el("label", "", `${textObject(block.label)}${block.optional ? " <small>(optional)</small>" : ""}`);
  label.htmlFor = id;
  box.append(label);
  let field;
  if (element.type === "plain_text_input") {
    field = el(element.multiline ? "textarea" : "input");
    if (element.initial_value) field.value = element.initial_value;
    if (element.placeholder) field.placeholder = element.placeholder.text;
    if (element.max_length) field.maxLength = element.max_length;
  } else if (element.type === "static_select") {
    field = renderElement(element, {});
  } else if (element.type === "users_select") {
    field = el("select");
    field.append(el("option", "", "Choose a person"));
    field.firstChild.value = "";
    for (const person of (view.data.people || []).filter((p) => p.role !== "bot")) {
      const choice = el("option", "", escapeHtml(person.real_name || person.name));
      choice.value = person.id;
      field.append(choice);
    }
  } else if (element.type === "datepicker") {
    field = el("input");
    field.type = "date";
  } else {
    field = el("div", "hint", `(${escapeHtml(element.type || "input")} is not drawn in the sandbox)`);
  }
  field.id = id;
  field.dataset.blockId = block.block_id;
  field.dataset.actionId = element.action_id;
  field.dataset.kind = element.type;
  box.append(field);
  if (block.hint) box.append(el("div", "hint", textObject(block.hint)));
  if (errors && errors[block.block_id]) box.append(el("div", "error", escapeHtml(errors[block.block_id])));
  return box;
}

function renderBlocks(blocks, where, errors) {
  const box = el("div", "blocks");
  for (const block of blocks || []) {
    let node;
    switch (block.type) {
      case "header":
        node = el("div", "block header", textObject(block.text));
        break;
      case "section": {
        node = el("div", "block section");
        const text = el("div", "text");
        if (block.text) text.append(el("div", "mrkdwn", textObject(block.text)));
        if (block.fields) {
          const fields = el("div", "fields");
          for (const field of block.fields) fields.append(el("div", "mrkdwn", textObject(field)));
          text.append(fields);
        }
        node.append(text);
        if (block.accessory) node.append(renderElement(block.accessory, where));
        break;
      }
      case "context":
        node = el("div", "block context");
        for (const item of block.elements || []) node.append(renderElement(item, where));
        break;
      case "divider":
        node = el("div", "block divider");
        break;
      case "actions":
        node = el("div", "block actions");
        for (const item of block.elements || []) node.append(renderElement(item, where));
        break;
      case "image":
        node = el("div", "block image");
        node.append(renderElement({ type: "image", image_url: block.image_url, alt_text: block.alt_text }, where));
        break;
      case "input":
        node = renderInput(block, errors);
        break;
      default:
        node = el("div", "block mrkdwn", `<i>(a ${escapeHtml(block.type)} block)</i>`);
    }
    box.append(node);
  }
  return box;
}

// -- the page -----------------------------------------------------------------------------
function avatar(message) {
  const person = (view.data.people || []).find((p) => p.id === message.user);
  const name = message.is_bot ? view.data.desk : (person ? person.real_name : message.user);
  const box = el("div", "avatar", escapeHtml(message.is_bot ? "🛟" : name.slice(0, 1)));
  const index = (view.data.people || []).findIndex((p) => p.id === message.user);
  box.style.background = message.is_bot ? "#4a154b" : COLORS[(index < 0 ? 0 : index) % COLORS.length];
  return box;
}

function when(ts) {
  return clockTime(ts);
}

// Messages in a list, with a divider where a new day begins, as Slack draws them.
function withDays(box, messages, inThread) {
  let last = null;
  for (const message of messages) {
    const day = dayOf(message.ts);
    if (day !== last) box.append(el("div", "day-divider", `<span>${escapeHtml(day)}</span>`));
    last = day;
    box.append(renderMessage(message, inThread));
  }
}

// "(edited 10:42)": what a message says (like "due in 5m") is as of then, as in Slack.
function edited(message) {
  if (!message.edited) return "";
  const said = SLACK_DATE.edited(message.edited_at || null, language());
  return ` <span class="edited" title="${escapeHtml(say("What it says is as of this time"))}">${escapeHtml(said)}</span>`;
}

function renderMessage(message, inThread) {
  const row = el("div", `message${message.ephemeral ? " ephemeral" : ""}`);
  row.dataset.ts = message.ts;
  row.append(avatar(message));
  const body = el("div", "body");
  if (message.ephemeral) body.append(el("div", "only-you", escapeHtml(say("👁 Only visible to you"))));
  const name = message.is_bot ? view.data.desk : message.name;
  body.append(el("div", "meta",
    `<b>${escapeHtml(name)}</b>${message.is_bot ? `<span class="app">${say("APP")}</span>` : ""}${when(message.ts)}${edited(message)}`));
  if (message.broadcast && !inThread) body.append(el("div", "broadcast-note", escapeHtml(say("replied to a thread"))));
  const where = { channel: message.channel, ts: message.ts };
  if (message.blocks && message.blocks.length) body.append(renderBlocks(message.blocks, where));
  else body.append(el("div", "mrkdwn", mrkdwn(message.text || "")));
  for (const file of message.files || []) {  // shared files: images drawn, as Slack shows them
    const image = el("img", "shared-file");
    image.src = file.url;
    image.alt = file.alt_txt || file.title || file.name;
    image.title = file.title || file.name;
    body.append(image);
  }
  if (!inThread && message.replies) {
    const link = el("button", "replies", escapeHtml(say(message.replies === 1 ? "{n} reply" : "{n} replies", { n: message.replies })));
    link.type = "button";
    link.onclick = () => openThread(message.broadcast ? message.thread_ts : message.ts);
    body.append(link);
  } else if (!inThread && !message.ephemeral && !message.broadcast) {
    const more = el("div", "more");
    const reply = el("button", "", escapeHtml(say("Reply in thread")));
    reply.type = "button";
    reply.onclick = () => openThread(message.ts);
    more.append(reply);
    if (!message.is_bot) {
      const shortcut = el("button", "", "Create ticket");
      shortcut.type = "button";
      shortcut.title = "The message shortcut: turn this message into a ticket";
      shortcut.onclick = () => post("shortcut", { channel: message.channel, ts: message.ts });
      more.append(shortcut);
      if (!message.channel.startsWith("D")) {
        const react = el("button", "react", "🎫");
        react.type = "button";
        react.title = "React with :ticket: — the desk turns the message into a ticket";
        react.onclick = () => post("react", { channel: message.channel, ts: message.ts });
        more.append(react);
      }
    }
    row.append(more);
  } else if (inThread && !message.is_bot && !message.ephemeral && !message.channel.startsWith("D")) {
    const more = el("div", "more");  // a reply in a thread can become a ticket too
    const react = el("button", "react", "🎫");
    react.type = "button";
    react.title = "React with :ticket: — the desk turns this reply into a ticket";
    react.onclick = () => post("react", { channel: message.channel, ts: message.ts });
    more.append(react);
    row.append(more);
  }
  row.append(body);
  return row;
}

function keepScroll(box, draw) {
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const before = box.scrollTop;
  draw();
  box.scrollTop = atBottom ? box.scrollHeight : before;
  box.dataset.pinned = atBottom ? "yes" : "";
  if (atBottom) stayAtBottom(box);
}

// Images (a chart, an emoji) take their height only once loaded, after the scroll above: a
// conversation that opened at its newest message would end up scrolled to the middle. Each
// image scrolls it down again as it loads, unless the reader has scrolled away meanwhile.
function stayAtBottom(box) {
  if (!box.dataset.watched) {
    box.dataset.watched = "yes";
    for (const kind of ["wheel", "touchmove", "keydown"]) {
      box.addEventListener(kind, () => { box.dataset.pinned = ""; }, { passive: true });
    }
  }
  for (const image of box.querySelectorAll("img")) {
    if (image.complete) continue;
    image.addEventListener("load", () => {
      if (box.dataset.pinned) box.scrollTop = box.scrollHeight;
    }, { once: true });
  }
}

// The sidebar is drawn again only when what it shows has changed: a page that redraws on every
// event would replace the button under a visitor's pointer (and a test's click) many times a second.
function unchanged(box, shown) {
  const key = JSON.stringify(shown);
  if (box.dataset.drawn === key) return true;
  box.dataset.drawn = key;
  return false;
}

function renderPeople() {
  const box = $("people");
  if (unchanged(box, [view.data.people, view.user])) return;
  box.innerHTML = "";
  for (const person of view.data.people.filter((p) => p.role !== "bot")) {
    const button = el("button", "person", `${escapeHtml(person.real_name)}<small>${escapeHtml(person.role)}</small>`);
    button.type = "button";
    button.dataset.user = person.id;
    button.setAttribute("aria-pressed", String(person.id === view.user));
    button.onclick = () => choosePerson(person.id);
    box.append(button);
  }
  // The language switch: the chosen person's Slack language, which the desk then speaks to them.
  const me = view.data.people.find((p) => p.id === view.user);
  if (me) {
    const other = me.language === "zh-CN" ? "en" : "zh-CN";
    const toggle = el("button", "language", other === "zh-CN" ? "中文" : "English");
    toggle.type = "button";
    toggle.id = "language";
    toggle.title = `${me.real_name}'s Slack language (now ${me.language === "zh-CN" ? "中文" : "English"})`;
    toggle.onclick = () => post("language", { language: other });
    box.append(toggle);
  }
}

function renderClock() {
  const clock = view.data.clock;
  const ahead = clock.ahead > 0 ? `<span class="ahead">(+${escapeHtml(SLACK_DATE.span(clock.ahead, language()))})</span>` : "";
  const box = $("clock");
  const shown = clock.now ? momentOf(Date.parse(clock.now) / 1000) : clock.shown;
  box.innerHTML = `<span>🕒 <b id="clock-now">${escapeHtml(shown)}</b> ${ahead}</span>`;
  for (const span of ["10m", "1h", "1d"]) {
    const button = el("button", "", `+${span}`);
    button.type = "button";
    button.title = `Fast-forward the desk's clock by ${span}`;
    button.onclick = () => post("clock", { advance: span });
    box.append(button);
  }
}

function renderConversations() {
  const list = $("conversations");
  const items = [{ id: "home", name: say("Home"), kind: "home" }, ...view.data.conversations];
  if (unchanged(list, [items, view.channel, view.data.channel])) return;
  list.innerHTML = "";
  for (const item of items) {
    const li = el("li");
    const prefix = item.kind === "channel" ? "# " : item.kind === "dm" ? "🛟 " : "🏠 ";
    const button = el("button", "", `${prefix}${escapeHtml(item.name)}`);
    button.type = "button";
    button.dataset.conversation = item.id;
    const current = item.kind === "home" ? view.channel === "home" : view.data.channel === item.id && view.channel !== "home";
    button.setAttribute("aria-current", String(current));
    button.onclick = () => chooseConversation(item.id);
    li.append(button);
    list.append(li);
  }
}

function renderFaults() {
  const faults = view.data.faults;
  const box = $("faults");
  box.innerHTML = "";
  const down = el("label", "", `<input type="checkbox" id="fault-down" ${faults.down ? "checked" : ""}> Slack is down`);
  down.querySelector("input").onchange = (e) => post("faults", { down: e.target.checked });
  const slow = el("label", "", `<input type="checkbox" id="fault-slow" ${faults.delay ? "checked" : ""}> Slow answers (1.5 s)`);
  slow.querySelector("input").onchange = (e) => post("faults", { delay: e.target.checked ? 1.5 : 0 });
  const limit = el("button", "", "Rate-limit the next 3 calls (429)");
  limit.type = "button";
  limit.id = "fault-ratelimit";
  limit.onclick = () => post("faults", { rate_limited: 3 });
  const errors = el("button", "", "Fail the next 3 calls (500)");
  errors.type = "button";
  errors.id = "fault-errors";
  errors.onclick = () => post("faults", { server_errors: 3 });
  box.append(down, slow, limit, errors);
  const pending = [];
  if (faults.rate_limited) pending.push(`${faults.rate_limited} calls to rate-limit`);
  if (faults.server_errors) pending.push(`${faults.server_errors} calls to fail`);
  if (pending.length) box.append(el("div", "state", escapeHtml(pending.join(" · "))));
  renderOwed();
  const traffic = $("traffic");
  traffic.innerHTML = "";
  for (const call of view.data.traffic) {
    const bad = call.status !== 200 || call.error;
    const where = call.channel ? ` → ${escapeHtml(call.channel)}` : "";
    const outcome = bad ? escapeHtml(`${call.status} ${call.error || ""}`) : "ok";
    const li = el("li", bad ? "bad" : "", `<span class="at">${clockTime(call.at)}</span> ${escapeHtml(call.method)}${where} ${outcome}`);
    traffic.append(li);
  }
}

// What the desk still owes Slack (its outbox): while Slack is down the answers wait here, and
// go out as soon as Slack is back.
function renderOwed() {
  const owed = view.data.owed || [];
  const box = $("owed");
  box.innerHTML = "";
  box.classList.toggle("waiting", owed.length > 0);
  if (!owed.length) {
    box.append(el("div", "count", "Nothing owed to Slack: all delivered"));
    return;
  }
  const count = `${owed.length} ${owed.length === 1 ? "message" : "messages"} waiting for Slack`;
  box.append(el("div", "count", `⏳ <b id="owed-count">${escapeHtml(count)}</b>`));
  const list = el("ol", "", "");
  list.id = "owed-list";
  for (const item of owed) {
    const li = el("li", item.parked ? "parked" : "",
      `<span class="at">${clockTime(item.since)}</span> ${escapeHtml(item.what)} → ${escapeHtml(item.where)}` +
      `<div class="state">${escapeHtml(item.state)}</div>`);
    li.dataset.owed = item.key;
    list.append(li);
  }
  box.append(list);
}

function renderConversation() {
  const data = view.data;
  const me = data.people.find((p) => p.id === view.user);
  $("tip").textContent = view.data.tip || "";
  const head = $("head");
  const box = $("messages");
  const composer = $("composer");
  if (view.channel === "home") {
    head.innerHTML = `${escapeHtml(data.desk)} <small>${escapeHtml(say("Home"))}</small>`;
    composer.hidden = true;
    box.innerHTML = "";
    const home = el("div", "home");
    if (data.home) home.append(renderBlocks(data.home.blocks, { channel: "home", ts: "home" }));
    else home.append(el("div", "empty", "Opening the Home tab…"));
    box.append(home);
    return;
  }
  composer.hidden = false;
  const conversation = data.conversations.find((c) => c.id === data.channel);
  head.innerHTML = conversation.kind === "dm"
    ? `${escapeHtml(conversation.name)} <small>your direct messages with the desk</small>`
    : `# ${escapeHtml(conversation.name)}`;
  $("text").placeholder = say("Message {name}", { name: conversation.kind === "dm" ? conversation.name : `#${conversation.name}` });
  const hints = $("hints");
  hints.innerHTML = "Commands: " + Object.keys(data.commands).map((c) => `<code title="${escapeHtml(data.commands[c])}">${c}</code>`).join("");
  hints.querySelectorAll("code").forEach((code) => { code.onclick = () => { $("text").value = `${code.textContent} `; $("text").focus(); }; });
  keepScroll(box, () => {
    box.innerHTML = "";
    if (!data.messages.length) box.append(el("div", "empty", conversation.kind === "dm"
      ? "Nothing here yet. Say what is wrong, like \"My laptop won't boot\"."
      : "Nothing here yet."));
    withDays(box, data.messages, false);
  });
}

function renderThread() {
  const pane = $("thread");
  const thread = view.data.thread;
  if (!view.thread || !thread) { pane.hidden = true; return; }
  pane.hidden = false;
  const box = $("thread-messages");
  keepScroll(box, () => {
    box.innerHTML = "";
    withDays(box, [thread.parent, ...thread.replies], true);
  });
}

function modalValues(form) {
  const values = {};
  form.querySelectorAll("[data-block-id]").forEach((field) => {
    const block = field.dataset.blockId;
    values[block] = values[block] || {};
    if (field.dataset.kind === "static_select") {
      if (field.value) values[block][field.dataset.actionId] = { value: field.value };
    } else if (["plain_text_input", "users_select", "datepicker"].includes(field.dataset.kind)) {
      if (field.value || field.dataset.kind === "plain_text_input") values[block][field.dataset.actionId] = field.value;
    }
  });
  return values;
}

function renderModal() {
  const modal = view.data.modal;
  const overlay = $("overlay");
  if (!modal) { overlay.hidden = true; view.modalKey = null; return; }
  const key = `${modal.id}:${modal.hash}:${JSON.stringify(modal.errors)}`;
  if (key === view.modalKey) return;
  const form = $("modal");
  const typed = view.modalKey && view.modalKey.startsWith(`${modal.id}:`) ? modalValues(form) : {};
  view.modalKey = key;
  const v = modal.view;
  form.innerHTML = "";
  const head = el("div", "modal-head", `<span>${textObject(v.title)}</span>`);
  const close = el("button", "", "✕");
  close.type = "button";
  close.setAttribute("aria-label", say("Close"));
  close.onclick = () => post("close", { view_id: modal.id });
  head.append(close);
  const body = el("div", "modal-body");
  body.append(renderBlocks(v.blocks, { modal: true }, modal.errors));
  if (modal.errors[""]) body.append(el("div", "modal-error", escapeHtml(modal.errors[""])));
  const foot = el("div", "modal-foot");
  const cancel = el("button", "btn", textObject(v.close) || escapeHtml(say("Cancel")));
  cancel.type = "button";
  cancel.onclick = () => post("close", { view_id: modal.id });
  foot.append(cancel);
  if (v.submit) {
    const submit = el("button", "btn primary", textObject(v.submit));
    submit.type = "submit";
    foot.append(submit);
  }
  form.append(head, body, foot);
  for (const [block, actions] of Object.entries(typed)) {
    for (const [action, value] of Object.entries(actions)) {
      const field = form.querySelector(`[data-block-id="${CSS.escape(block)}"][data-action-id="${CSS.escape(action)}"]`);
      if (field) field.value = typeof value === "object" ? value.value : value;
    }
  }
  form.onsubmit = async (event) => {
    event.preventDefault();
    await post("submit", { view_id: modal.id, values: modalValues(form) });
  };
  overlay.hidden = false;
  const first = form.querySelector("textarea, input, select");
  if (first) first.focus();
}

// The composer's and the thread pane's own words, in the reader's language; and the page's
// language (its fonts, a screen reader's voice).
function renderChrome() {
  document.documentElement.lang = language();
  const words = [["#composer button[type=submit]", "Send"], [".thread-head span", "Thread"],
    ["#thread-composer button[type=submit]", "Reply"]];
  for (const [css, english] of words) {
    const node = document.querySelector(css);
    if (node.textContent !== say(english)) node.textContent = say(english);
  }
  $("thread-text").placeholder = say("Reply…");
  $("close-thread").setAttribute("aria-label", say("Close thread"));
}

function render() {
  if (!view.data) return;
  if (view.channel !== "home") view.channel = view.data.channel;
  document.body.dataset.me = view.data.me;  // whose view is on screen (the person chosen may be newer)
  renderChrome();
  renderPeople();
  renderClock();
  renderConversations();
  renderFaults();
  renderConversation();
  renderThread();
  renderModal();
}

// -- what the visitor does ------------------------------------------------------------------
function choosePerson(user) {
  view.user = user;
  localStorage.setItem("sandbox.user", user);
  view.channel = null;
  view.thread = null;
  view.modalKey = null;
  refresh();
}

function chooseConversation(id) {
  view.thread = null;
  view.channel = id;
  if (id === "home") post("home", {});
  refresh();
}

function openThread(ts) {
  view.thread = ts;
  refresh();
}

async function send(input, thread) {
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  const answer = await post("say", { channel: view.data.channel, text, thread });
  if (answer.problem) input.value = text;
}

$("composer").onsubmit = (event) => { event.preventDefault(); send($("text"), null); };
$("thread-composer").onsubmit = (event) => { event.preventDefault(); send($("thread-text"), view.thread); };
$("close-thread").onclick = () => { view.thread = null; refresh(); };
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && view.data?.modal) post("close", { view_id: view.data.modal.id });
});

document.addEventListener("click", (event) => {
  const link = event.target.closest("a.permalink");
  if (!link) return;
  event.preventDefault();
  if (!view.data.conversations.some((c) => c.id === link.dataset.channel)) {
    toast("That message is in a channel you are not in.");
    return;
  }
  view.modalKey = null;
  chooseConversation(link.dataset.channel);
  if (link.dataset.thread) openThread(link.dataset.thread);
});

listen();
refresh();
