// ks3sync status page: polls /api/status, draws the pairs and the
// throughput chart, and sends the pairs' actions with the daemon's token.
// Everything is built with textContent: no name or message from the
// daemon is ever read as HTML.
"use strict";

(() => {
  const POLL_MS = 2000;
  const ERRORS_SHOWN = 10;
  const TOKEN_KEY = "ks3sync-token:" + location.host;
  const $ = (id) => document.getElementById(id);

  let clockOffset = 0; // browser clock minus the daemon's, in ms
  let last = null; // the previous status document
  const cards = new Map(); // pair name -> card

  // --- The token -------------------------------------------------------

  // takeToken keeps the token of a "#token=..." address and takes it out
  // of the address bar, so that it is not bookmarked or shared by mistake.
  function takeToken() {
    const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!m) return;
    try {
      localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    } catch (e) {
      notice("The browser refused to keep the token: " + e.message);
    }
    history.replaceState(null, "", location.pathname + location.search);
  }

  function token() {
    try {
      return localStorage.getItem(TOKEN_KEY) || "";
    } catch {
      return "";
    }
  }

  function forgetToken() {
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch {
      // nothing kept, nothing to forget
    }
  }

  // --- Formatting ------------------------------------------------------

  const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

  function bytes(n) {
    let v = Math.max(0, n);
    let i = 0;
    while (v >= 1024 && i < UNITS.length - 1) {
      v /= 1024;
      i++;
    }
    if (i === 0) return Math.round(v) + " B";
    return (v < 10 ? v.toFixed(1) : Math.round(v)) + " " + UNITS[i];
  }

  const perSecond = (n) => bytes(n) + "/s";
  const plural = (n, one, many) => n + " " + (n === 1 ? one : many);
  const now = () => Date.now() - clockOffset;

  // relative says how long ago (or in how long) a time is: "2 min ago".
  function relative(iso) {
    const secs = (now() - Date.parse(iso)) / 1000;
    const s = Math.abs(secs);
    if (s < 10) return "just now";
    let text;
    if (s < 60) text = Math.floor(s) + " s";
    else if (s < 3600) text = Math.floor(s / 60) + " min";
    else if (s < 86400) text = Math.floor(s / 3600) + " h";
    else text = Math.floor(s / 86400) + " d";
    return secs < 0 ? "in " + text : text + " ago";
  }

  // setTime makes a <time> say a relative time, with the absolute one in
  // its title.
  function setTime(t, iso) {
    t.dateTime = iso;
    t.title = new Date(iso).toLocaleString();
    t.textContent = relative(iso);
  }

  function timeEl(iso) {
    const t = document.createElement("time");
    setTime(t, iso);
    return t;
  }

  function el(tag, cls, ...children) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    e.append(...children.filter((c) => c !== null && c !== undefined && c !== ""));
    return e;
  }

  // --- Messages --------------------------------------------------------

  function notice(text) {
    const n = $("notice");
    n.textContent = text;
    n.hidden = !text;
  }

  // announce tells screen readers about a change, once.
  function announce(text) {
    $("live").textContent = text;
  }

  // --- Polling ---------------------------------------------------------

  let timer = 0;

  async function poll() {
    clearTimeout(timer);
    try {
      const res = await fetch("/api/status", { cache: "no-store" });
      if (!res.ok) throw new Error("the daemon answered " + res.status);
      const status = await res.json();
      clockOffset = Date.now() - Date.parse(status.generated_at);
      render(status);
      if (last === null || $("notice").dataset.kind === "lost") clearLost();
      last = status;
    } catch (e) {
      lost(e);
    }
    if (!document.hidden) timer = setTimeout(poll, POLL_MS);
  }

  function lost(e) {
    const badge = $("overall");
    badge.textContent = "Daemon unreachable";
    badge.className = "badge bad";
    notice("Lost contact with the daemon (" + e.message + "); trying again every " + POLL_MS / 1000 + " s.");
    $("notice").dataset.kind = "lost";
  }

  function clearLost() {
    $("notice").dataset.kind = "";
    notice(token() ? "" : "Read-only: the actions (sync now, pause) need the daemon's token. Open the address that `ks3sync status --url` prints.");
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });

  // --- The page --------------------------------------------------------

  function render(s) {
    renderOverall(s);
    renderChart(s.throughput);
    s.pairs.forEach((p, i) => renderPair(p, i));
    for (const [name, card] of cards) {
      if (!s.pairs.some((p) => p.name === name)) {
        card.root.remove();
        cards.delete(name);
      }
    }
  }

  function renderOverall(s) {
    const badge = $("overall");
    const sick = s.pairs.filter((p) => !p.health.healthy);
    if (s.healthy) {
      badge.textContent = s.pairs.length === 1 ? "Healthy" : "All " + s.pairs.length + " pairs healthy";
      badge.className = "badge ok";
    } else if (!s.ready && sick.every((p) => p.health.reason === "starting")) {
      badge.textContent = "Starting";
      badge.className = "badge";
    } else {
      badge.textContent = plural(sick.length, "pair needs", "pairs need") + " attention";
      badge.className = "badge bad";
    }
    $("device").textContent = s.device || "–";
    if (s.started_at) setTime($("started"), s.started_at);
    setTime($("updated"), s.generated_at);
  }

  // --- The chart -------------------------------------------------------

  const CHART = { width: 720, top: 20, bottom: 170 };

  // niceMax rounds a peak up to 1, 2 or 5 times a power of 1024's unit.
  function niceMax(peak) {
    if (peak <= 0) return 1024;
    let unit = 1;
    while (peak >= unit * 1024) unit *= 1024;
    const v = peak / unit;
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 1024].find((x) => x >= v);
    return step * unit;
  }

  // rates turns bytes per interval into bytes per second; the last
  // interval is still filling, so only its elapsed part counts.
  function rates(counts, tp) {
    const n = counts.length;
    const elapsed = tp.interval_seconds - (Date.parse(tp.ends_at) - (now())) / 1000;
    return counts.map((c, i) => c / (i === n - 1 ? Math.min(Math.max(elapsed, 1), tp.interval_seconds) : tp.interval_seconds));
  }

  function pathOf(values, max) {
    const n = values.length;
    const h = CHART.bottom - CHART.top;
    return values
      .map((v, i) => {
        const x = n === 1 ? CHART.width : (i * CHART.width) / (n - 1);
        const y = CHART.bottom - (Math.min(v, max) / max) * h;
        return (i === 0 ? "M" : "L") + x.toFixed(1) + " " + y.toFixed(1);
      })
      .join(" ");
  }

  function renderChart(tp) {
    if (!tp || !tp.up_bytes || tp.up_bytes.length === 0) return;
    const up = rates(tp.up_bytes, tp);
    const down = rates(tp.down_bytes, tp);
    const max = niceMax(Math.max(...up, ...down));
    for (const [name, values] of [["up", up], ["down", down]]) {
      const line = pathOf(values, max);
      $("line-" + name).setAttribute("d", line);
      $("area-" + name).setAttribute("d", line + " L" + CHART.width + " " + CHART.bottom + " L0 " + CHART.bottom + " Z");
    }
    $("y-max").textContent = perSecond(max);
    $("y-mid").textContent = perSecond(max / 2);
    const nowUp = up[up.length - 1];
    const nowDown = down[down.length - 1];
    $("rate-up").textContent = perSecond(nowUp);
    $("rate-down").textContent = perSecond(nowDown);
    $("chart-desc").textContent =
      "Over the last hour, uploads peaked at " + perSecond(Math.max(...up)) + " and run at " + perSecond(nowUp) +
      " now; downloads peaked at " + perSecond(Math.max(...down)) + " and run at " + perSecond(nowDown) + " now.";
  }

  // --- A pair ----------------------------------------------------------

  function card(p, i) {
    let c = cards.get(p.name);
    if (c) return c;
    const root = $("pair-template").content.firstElementChild.cloneNode(true);
    const q = (sel) => root.querySelector(sel);
    const title = q(".pair-name");
    title.id = "pair-" + i;
    title.textContent = p.name;
    root.setAttribute("aria-labelledby", title.id);
    c = { root, q, paused: false };
    q(".act-sync").addEventListener("click", (e) => act(p.name, "sync", e.currentTarget));
    q(".act-pause").addEventListener("click", (e) => act(p.name, c.paused ? "resume" : "pause", e.currentTarget));
    q(".act-sync").setAttribute("aria-describedby", title.id);
    q(".act-pause").setAttribute("aria-describedby", title.id);
    $("pairs").append(root);
    cards.set(p.name, c);
    return c;
  }

  function renderPair(p, i) {
    const c = card(p, i);
    const q = c.q;
    renderHealth(c, p);
    c.paused = p.paused;
    q(".act-pause").textContent = p.paused ? "Resume" : "Pause";
    const dir = { push: "push: local to bucket", pull: "pull: bucket to local", both: "both ways" }[p.direction] || p.direction;
    q(".f-direction").textContent = dir;
    q(".f-local").textContent = p.local;
    q(".f-remote").textContent = "ks3://" + p.bucket + "/" + p.prefix + (p.encrypted ? " (encrypted)" : "");
    q(".f-activity").replaceChildren(...activity(p));
    q(".f-success").replaceChildren(p.last_success_at ? timeEl(p.last_success_at) : "not yet");
    q(".f-full").replaceChildren(p.last_full_reconcile_at ? timeEl(p.last_full_reconcile_at) : "not yet");
    q(".f-pending").replaceChildren(...pending(p.queue));
    q(".f-last").replaceChildren(...lastPass(p.last_pass));
    q(".f-totals").textContent = totals(p.totals);
    renderLists(c, p);
  }

  function renderHealth(c, p) {
    const badge = c.q(".health");
    const h = p.health;
    let text = "Healthy";
    let cls = "ok";
    if (!h.healthy) {
      [text, cls] = { paused: ["Paused", "warn"], starting: ["Starting", ""] }[h.reason] || ["Needs attention", "bad"];
    }
    badge.textContent = text;
    badge.className = "badge health " + cls;
    c.q(".health-msg").textContent = h.healthy ? "" : h.message;
    const before = last && last.pairs.find((x) => x.name === p.name);
    if (before && before.health.reason !== h.reason) {
      announce(p.name + ": " + (h.healthy ? "healthy again" : h.message));
    }
  }

  function activity(p) {
    if (p.paused) return ["paused ", p.paused_at ? timeEl(p.paused_at) : ""];
    return [{ idle: "idle", reconciling: "full reconcile running", syncing: "syncing changes" }[p.activity] || p.activity];
  }

  function pending(q) {
    if (!q.depth) return ["none"];
    return [plural(q.depth, "change", "changes") + ", the oldest seen ", timeEl(q.oldest_at)];
  }

  const PASSES = { reconcile: "Full reconcile", "watch-pass": "Sync of changes", run: "Run" };
  const OUTCOMES = { ok: "done", partial: "partly done", failed: "failed", refused: "refused", interrupted: "interrupted" };

  function lastPass(l) {
    if (!l) return ["none yet"];
    return [(PASSES[l.kind] || l.kind) + ": " + (OUTCOMES[l.outcome] || l.outcome) + ", ", timeEl(l.ended_at)];
  }

  function totals(t) {
    const del = t.deleted_remote + t.deleted_local;
    return "up " + plural(t.uploaded_files, "file", "files") + " (" + bytes(t.uploaded_bytes) + "), down " +
      plural(t.downloaded_files, "file", "files") + " (" + bytes(t.downloaded_bytes) + "), " + del + " deleted, " +
      plural(t.conflicts, "conflict", "conflicts");
  }

  // --- The lists of a pair ---------------------------------------------

  // renderList rebuilds a list only when its items changed, so that a
  // selection inside it (a command to copy) survives the polling; the
  // relative times are refreshed every time.
  function renderList(ul, items, item, none) {
    const key = JSON.stringify(items);
    if (ul.dataset.key !== key) {
      ul.dataset.key = key;
      ul.replaceChildren(...(items.length ? items.map(item) : [el("li", "none", none)]));
    }
    for (const t of ul.querySelectorAll("time")) setTime(t, t.dateTime);
  }

  function renderLists(c, p) {
    const q = c.q;
    renderList(q(".flight"), p.in_flight, flightItem, p.paused ? "Nothing in flight while paused." : "Nothing in flight.");
    const errors = p.recent_errors.filter((e) => e.error_kind !== "guard").reverse().slice(0, ERRORS_SHOWN);
    renderList(q(".errors"), errors, errorItem, "No errors.");
    q(".s-refusals").hidden = p.recent_refusals.length === 0;
    renderList(q(".refusals"), p.recent_refusals.slice().reverse(), refusalItem, "");
    q(".s-conflicts").hidden = p.recent_conflicts.length === 0;
    renderList(q(".conflicts"), p.recent_conflicts.slice().reverse(), conflictItem, "");
    renderHistory(c, p);
    q(".n-recent").textContent = "(" + p.recent_transfers.length + ")";
    renderList(q(".recent"), p.recent_transfers.slice().reverse(), recentItem, "Nothing transferred since the daemon started.");
    const before = last && last.pairs.find((x) => x.name === p.name);
    const newest = errors[0];
    if (before && newest && !before.recent_errors.some((e) => e.time === newest.time && e.path === newest.path)) {
      announce(p.name + ": error" + (newest.path ? " on " + newest.path : "") + ": " + newest.error);
    }
  }

  // renderHistory shows the pair's version history: its policy and the
  // restore points, newest first, each with the command that restores it.
  function renderHistory(c, p) {
    const h = p.history;
    c.q(".s-history").hidden = !h;
    if (!h) return;
    const days = h.keep_seconds / 86400;
    const keep = h.keep_seconds > 0
      ? "Every replaced or deleted version is kept for " + (days >= 1 ? plural(Math.round(days * 10) / 10, "day", "days") : plural(Math.round(h.keep_seconds / 3600), "hour", "hours"))
      : "Replaced and deleted versions are kept";
    const newest = h.versions > 0 ? (h.keep_seconds > 0 ? ", and " : " (") + "the newest " + h.versions + " of every file" + (h.keep_seconds > 0 ? "" : ")") : "";
    c.q(".history-policy").textContent = keep + newest + ". List them with ks3sync history --pair " + p.name + ".";
    renderList(c.q(".restore-points"), h.restore_points.slice().reverse(), (at) => restoreItem(p.name, at),
      "No pass has changed files since the daemon started.");
  }

  function restoreItem(pair, at) {
    return el("li", "",
      el("div", "line1", el("span", "what", "Restore point"), el("span", "when", timeEl(at))),
      el("div", "hint", "To rebuild the folder as it was then: ",
        el("code", "", "ks3sync restore --pair " + pair + " --at " + at + " --to RESTORED-FOLDER")));
  }

  function flightItem(t) {
    const arrow = t.action === "upload" ? "↑ " : "↓ ";
    const bar = el("progress");
    bar.max = Math.max(t.size, 1);
    bar.value = Math.min(t.bytes_done, bar.max);
    const pct = t.size > 0 ? Math.floor((t.bytes_done * 100) / t.size) : 100;
    bar.setAttribute("aria-label", t.path + ": " + pct + "%");
    const parts = t.parts > 0 ? " · " + t.parts_done + " of " + t.parts + " parts done" : "";
    const speed = t.bytes_per_second > 0 ? " · " + perSecond(t.bytes_per_second) : "";
    return el("li", "",
      el("div", "line1", el("span", "what", arrow + t.path), el("span", "size", pct + "%")),
      bar,
      el("div", "detail", bytes(t.bytes_done) + " of " + bytes(t.size) + parts + speed + " · started ", timeEl(t.started_at)));
  }

  function errorItem(e) {
    const what = e.path || "the whole " + ({ reconcile: "full reconcile", "watch-pass": "pass" }[e.action] || "pass");
    return el("li", "",
      el("div", "line1", el("span", "what", what), el("span", "kind", e.error_kind), el("span", "when", timeEl(e.time))),
      el("div", "detail", e.error),
      e.hint ? el("div", "hint", "What to do: " + e.hint) : null);
  }

  function refusalItem(r) {
    const where = r.side === "local" ? "local files" : "objects in the bucket";
    const verb = { max_delete: "delete", max_overwrite: "overwrite" }[r.guard] || "change";
    const what = r.guard + ": would " + verb + " " + r.deletes + " of " + r.files + " " + where + " (limit " + r.limit + ")";
    const times = r.count > 1 ? r.count + " times, last " : "";
    // The message ends with the command that proceeds, shown on its own.
    return el("li", "",
      el("div", "line1", el("span", "what", what), el("span", "when", times, timeEl(r.time))),
      r.proceed ? el("div", "hint", "Check that the folder is complete. To proceed once, run: ", el("code", "", r.proceed))
        : el("div", "detail", r.message));
  }

  function conflictItem(x) {
    return el("li", "",
      el("div", "line1", el("span", "what", x.path), el("span", "when", timeEl(x.time))),
      el("div", "detail", x.reason + "; both copies were kept"));
  }

  const ACTIONS = {
    upload: "↑ uploaded",
    download: "↓ downloaded",
    "delete-remote": "deleted in the bucket",
    "delete-local": "deleted locally",
    conflict: "conflict, both kept",
  };

  function recentItem(r) {
    const size = r.size ? bytes(r.size) : "";
    return el("li", "",
      el("div", "line1", el("span", "kind", ACTIONS[r.action] || r.action), el("span", "what", r.path),
        el("span", "size", size), el("span", "when", timeEl(r.time))),
      r.reason ? el("div", "detail", r.reason) : null);
  }

  // --- Actions ---------------------------------------------------------

  const DONE = {
    sync: (p) => "A full reconcile of " + p + " was asked for.",
    pause: (p) => p + " is paused.",
    resume: (p) => p + " is resumed.",
  };

  async function act(pair, action, button) {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    const headers = {};
    const t = token();
    if (t) headers.Authorization = "Bearer " + t;
    try {
      const res = await fetch("/api/pairs/" + encodeURIComponent(pair) + "/" + action, { method: "POST", headers, cache: "no-store" });
      const body = await res.json().catch(() => ({}));
      if (res.ok) {
        announce(DONE[action](pair));
        await poll();
        return;
      }
      if (res.status === 403 && t) forgetToken();
      const why = body.error || "the daemon answered " + res.status;
      notice("The daemon refused to " + (action === "sync" ? "sync " : action + " ") + pair + ": " + why);
    } catch (e) {
      notice("Could not reach the daemon: " + e.message);
    } finally {
      button.removeAttribute("aria-busy");
    }
  }

  takeToken();
  poll();
})();
