// Slack's date tokens as a Slack client shows them: `<!date^EPOCH^FORMAT|fallback>` is drawn
// by following FORMAT in the reader's own language (and zone: here, this machine's). Plain
// JavaScript, loaded before app.js; `node` can load it too (tests/test_sandbox_dates.py).
//
// What each token writes, from Slack's docs: "Formatting text for app surfaces"
// (https://docs.slack.dev/messaging/formatting-message-text#date-formatting) and the rich
// text date element (https://docs.slack.dev/reference/block-kit/block-elements/date-element):
//   {date_num} 2014-02-18 · {date_slash} 18/02/2014 (subject to locale preferences)
//   {date} February 18th, 2014 · {date_short} Feb 18, 2014
//   {date_long} Tuesday, February 18th, 2014 · {date_long_full} February 18, 2014
//   {date_pretty}, {date_short_pretty}, {date_long_pretty}: the same, but "yesterday",
//     "today" or "tomorrow" where they apply
//   {day_divider_pretty}: today, yesterday or tomorrow; else {date_long}, without its year
//     in the current year
//   {time} 06:39 · {time_secs} 06:39:42 (24-hour, as this page writes times)
//   {ago}: how long ago, e.g. "3 minutes ago"
// A "today" that opens FORMAT is capitalised ("Today at 09:05"). In Chinese the forms are
// the browser's own (Intl): 2026年12月7日, 2026年12月7日星期一, 今天 09:05, 3分钟前.
//
// The page's own chrome (its day dividers, its clock, "(edited 09:05)") is written the desk's
// one way (bot/slack/when.py, bot/i18n.py), in the reader's language: a day is "Mon 7 Dec" or
// "12月7日周一", a moment "Mon 7 Dec, 09:05" or "12月7日周一 09:05", a span "1d 2h" or "1天2小时".
"use strict";

const SLACK_DATE = (() => {
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  const RELATIVE = {
    en: { "-1": "yesterday", 0: "today", 1: "tomorrow" },
    "zh-CN": { "-1": "昨天", 0: "今天", 1: "明天" },
  };
  const pad = (n) => String(n).padStart(2, "0");
  const ordinal = (n) => {
    const teen = n % 100 >= 11 && n % 100 <= 13;
    return `${n}${teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th")}`;
  };
  // Days since the epoch of a local calendar day: two moments' difference in days.
  const dayNumber = (d) => Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86400000);

  // The words a date token shows: `epoch` in seconds, `format` Slack's FORMAT, `language`
  // "en" or "zh-CN", `now` (seconds) what "today" and "ago" are measured from.
  function text(epoch, format, language, now) {
    const zh = language === "zh-CN";
    const d = new Date(Number(epoch) * 1000);
    const today = new Date(Number(now) * 1000);
    const intl = (options) => new Intl.DateTimeFormat("zh-CN", options).format(d);
    const [y, m, day, weekday] = [d.getFullYear(), d.getMonth(), d.getDate(), d.getDay()];
    const relative = (RELATIVE[zh ? "zh-CN" : "en"])[dayNumber(d) - dayNumber(today)];
    const full = { year: "numeric", month: "long", day: "numeric" };

    const date = () => (zh ? intl(full) : `${MONTHS[m]} ${ordinal(day)}, ${y}`);
    const dateShort = () => (zh ? intl({ ...full, month: "short" }) : `${MONTHS[m].slice(0, 3)} ${day}, ${y}`);
    const dateLong = (year = true) => {
      if (zh) return intl(year ? { ...full, weekday: "long" } : { month: "long", day: "numeric", weekday: "long" });
      return `${WEEKDAYS[weekday]}, ${MONTHS[m]} ${ordinal(day)}${year ? `, ${y}` : ""}`;
    };
    const ago = () => {
      const seconds = Math.round(Number(now) - Number(epoch));
      const spoken = new Intl.RelativeTimeFormat(zh ? "zh-CN" : "en", { numeric: "auto" });
      const units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
        ["hour", 3600], ["minute", 60], ["second", 1]];
      const [unit, size] = units.find(([, s]) => Math.abs(seconds) >= s) || units[units.length - 1];
      return spoken.format(-Math.trunc(seconds / size), unit);
    };
    const forms = {
      date_num: () => `${y}-${pad(m + 1)}-${pad(day)}`,
      date_slash: () => (zh ? intl({ year: "numeric", month: "2-digit", day: "2-digit" }) : `${pad(day)}/${pad(m + 1)}/${y}`),
      date,
      date_short: dateShort,
      date_long: () => dateLong(),
      date_long_full: () => (zh ? intl(full) : `${MONTHS[m]} ${day}, ${y}`),
      date_pretty: () => relative || date(),
      date_short_pretty: () => relative || dateShort(),
      date_long_pretty: () => relative || dateLong(),
      day_divider_pretty: () => relative || dateLong(y !== today.getFullYear()),
      time: () => `${pad(d.getHours())}:${pad(d.getMinutes())}`,
      time_secs: () => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`,
      ago,
    };
    return format.replace(/\{([a-z_]+)\}/g, (whole, name, at) => {
      if (!forms[name]) return whole;
      const shown = forms[name]();
      return at === 0 && shown === relative ? shown[0].toUpperCase() + shown.slice(1) : shown;
    });
  }

  // -- the page's chrome, as the desk writes days and times (bot/slack/when.py) -----------
  const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const CHINESE_DAYS = "日一二三四五六";
  const at = (epoch) => new Date(Number(epoch) * 1000);

  // A time of day, 24-hour: "09:05", in either language.
  const time = (epoch) => { const d = at(epoch); return `${pad(d.getHours())}:${pad(d.getMinutes())}`; };

  // A day, as a day divider shows it: "Mon 7 Dec"; "12月7日周一".
  function day(epoch, language) {
    const d = at(epoch);
    if (language === "zh-CN") return `${d.getMonth() + 1}月${d.getDate()}日周${CHINESE_DAYS[d.getDay()]}`;
    return `${DAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()].slice(0, 3)}`;
  }

  // A day and a time, as the clock shows it: "Mon 7 Dec, 09:05"; "12月7日周一 09:05".
  const moment = (epoch, language) => `${day(epoch, language)}${language === "zh-CN" ? " " : ", "}${time(epoch)}`;

  // A span in whole minutes, days, hours and minutes: "1d 2h 5m", "0m"; "1天2小时5分钟", "0分钟".
  function span(seconds, language) {
    const total = Math.round(seconds / 60);  // whole minutes first: 59.6 minutes is 1h, not "60m"
    const parts = [[Math.floor(total / 1440), "d", "天"], [Math.floor((total % 1440) / 60), "h", "小时"],
      [total % 60, "m", "分钟"]].filter(([n]) => n);
    if (!parts.length) parts.push([0, "m", "分钟"]);
    if (language === "zh-CN") return parts.map(([n, , unit]) => `${n}${unit}`).join("");
    return parts.map(([n, unit]) => `${n}${unit}`).join(" ");
  }

  // What an edited message says beside its time: "(edited 10:42)", or "(edited)" with no time
  // known; "（编辑于 10:42）", "（已编辑）".
  function edited(epoch, language) {
    const zh = language === "zh-CN";
    if (epoch === null || epoch === undefined) return zh ? "（已编辑）" : "(edited)";
    return zh ? `（编辑于 ${time(epoch)}）` : `(edited ${time(epoch)})`;
  }

  return { text, day, time, moment, span, edited };
})();

if (typeof module !== "undefined") module.exports = SLACK_DATE;
